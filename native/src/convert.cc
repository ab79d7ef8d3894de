#include "convert.h"

#include <sstream>

namespace mlx_tape {

std::string Describe(Napi::Value v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (Array::Is(v)) return "an MLX array";
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsNumber() || v.IsBoolean()) return v.ToString().Utf8Value();
  if (v.IsArray()) return "an array of length " + std::to_string(v.As<Napi::Array>().Length());
  if (v.IsFunction()) return "a function";
  return "an object";
}

std::string ShapeString(const mx::Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "]";
  return out.str();
}

int64_t ToInteger(Napi::Value v, const Where& what, int64_t lo,
                  int64_t hi) {
  if (!v.IsNumber())
    throw Napi::TypeError::New(v.Env(),
                               what.str() + " must be an integer, got " + Describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::isnan(d) || d != std::floor(d))
    throw Napi::TypeError::New(v.Env(),
                               what.str() + " must be an integer, got " + Describe(v));
  if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
    throw Napi::RangeError::New(v.Env(), what.str() + " is out of range: " + Describe(v));
  return static_cast<int64_t>(d);
}

namespace {
struct NamedDtype {
  const char* name;
  mx::Dtype dtype;
};
const NamedDtype kDtypes[] = {
    {"bool", mx::bool_},       {"uint8", mx::uint8},     {"uint16", mx::uint16},
    {"uint32", mx::uint32},    {"uint64", mx::uint64},   {"int8", mx::int8},
    {"int16", mx::int16},      {"int32", mx::int32},     {"int64", mx::int64},
    {"float16", mx::float16},  {"bfloat16", mx::bfloat16}, {"float32", mx::float32},
    {"float64", mx::float64},  {"complex64", mx::complex64},
};
}  // namespace

mx::Dtype ParseDtype(Napi::Value v, const Where& what) {
  if (v.IsString()) {
    auto name = v.As<Napi::String>().Utf8Value();
    for (const auto& d : kDtypes)
      if (name == d.name) return d.dtype;
  }
  throw Napi::TypeError::New(v.Env(), what.str() + " must be a dtype name ('float32', 'int32', ...), got " +
                                          Describe(v));
}

const char* DtypeName(mx::Dtype dtype) {
  for (const auto& d : kDtypes)
    if (dtype == d.dtype) return d.name;
  return "unknown";
}

int DtypeIndex(mx::Dtype dtype) {
  for (size_t i = 0; i < std::size(kDtypes); ++i)
    if (dtype == kDtypes[i].dtype) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> DtypeNames() {
  std::vector<std::string> names;
  for (const auto& d : kDtypes) names.push_back(d.name);
  return names;
}

mx::array ScalarLike(Napi::Value v, const mx::array& other,
                     const Where& what) {
  if (v.IsBoolean()) {
    return mx::array(v.As<Napi::Boolean>().Value(), other.dtype() == mx::bool_ ? mx::bool_ : other.dtype());
  }
  if (!v.IsNumber())
    throw Napi::TypeError::New(
        v.Env(), what.str() + " must be an MLX array or a number, got " + Describe(v));
  return WeakScalar(v.As<Napi::Number>().DoubleValue(), other.dtype());
}

mx::array WeakScalar(double d, mx::Dtype t) {
  bool integral = std::isfinite(d) && d == std::floor(d);
  // MLX-Python's rule: the scalar takes the array's dtype unless that would
  // drop its fraction (int array + 0.5 is float32); bool arrays widen.
  if (t == mx::bool_) t = integral ? mx::int32 : mx::float32;
  else if (!mx::issubdtype(t, mx::inexact) && !integral) t = mx::float32;
  return mx::array(d, t);
}

Site* NewSite(const std::string& signature, void* fn) {
  // Sites live as long as the process: one per exported function.
  static std::deque<Site> sites;
  Site site{signature.substr(0, signature.find('(')), {}, fn};
  auto open = signature.find('('), close = signature.rfind(')');
  if (open != std::string::npos && close != std::string::npos) {
    std::istringstream args(signature.substr(open + 1, close - open - 1));
    for (std::string arg; std::getline(args, arg, ',');) {
      arg.erase(0, arg.find_first_not_of(' '));
      site.args.push_back(arg);
    }
  }
  sites.push_back(std::move(site));
  return &sites.back();
}

}  // namespace mlx_tape
