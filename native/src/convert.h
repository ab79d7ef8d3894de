// Table-driven bindings: one converter per argument kind, one per result kind.
// Def(exports, "reshape(a, shape)", +[](const mx::array& a, mx::Shape shape)
// {...}) binds a C++ function; the signature string names the op and its
// arguments for error messages.
#pragma once

#include <napi.h>

#include <cmath>
#include <deque>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "array.h"
#include "guard.h"

namespace mlx_tape {

// A bound function: its name, its arguments' names, the C++ function.
struct Site {
  std::string op;
  std::vector<std::string> args;
  void* fn;
};

std::string Describe(Napi::Value v);
std::string ShapeString(const mx::Shape& shape);
mx::Dtype ParseDtype(Napi::Value v, const Where& what);
const char* DtypeName(mx::Dtype d);
// A dtype's position in DtypeNames(): JS maps it to a name it made once, as a
// new JS string per query cost more than the query (W3 asks once per op).
int DtypeIndex(mx::Dtype d);
std::vector<std::string> DtypeNames();
int64_t ToInteger(Napi::Value v, const Where& what, int64_t lo,
                  int64_t hi);

// A binary-op operand: an array, or a JS number/boolean that takes the other
// operand's dtype where that loses nothing (MLX-Python's weak scalars).
struct Operand {
  Napi::Value value;
  Where where;
};
mx::array ScalarLike(Napi::Value v, const mx::array& other,
                     const Where& what);
// The number d as a weak scalar beside an array of dtype t (ScalarLike's rule).
mx::array WeakScalar(double d, mx::Dtype t);
// Calls op(x, y) on a binary op's operands: the arrays themselves, not
// copies (between the lookups and the call no JS runs, so no GC finalizer
// frees a slot), or arrays made of numbers; two numbers are float32 (or
// bool), as mx.array(scalar) makes them.
template <typename Op>
mx::array WithOperands(const Operand& a, const Operand& b, Op&& op) {
  const mx::array* x = Array::Find(a.value, a.where);
  const mx::array* y = Array::Find(b.value, b.where);
  if (x && y) return op(*x, *y);
  if (x) return op(*x, ScalarLike(b.value, *x, b.where));
  if (y) return op(ScalarLike(a.value, *y, a.where), *y);
  mx::array fallback(0.0f);
  return op(ScalarLike(a.value, fallback, a.where), ScalarLike(b.value, fallback, b.where));
}

template <typename T>
struct Arg;

template <>
struct Arg<mx::array> {
  static mx::array Get(Napi::Value v, const Where& what) {
    return Array::From(v, what);
  }
};
template <>
struct Arg<Operand> {
  static Operand Get(Napi::Value v, const Where& what) { return {v, what}; }
};
template <>
struct Arg<bool> {
  static bool Get(Napi::Value v, const Where& what) {
    if (!v.IsBoolean())
      throw Napi::TypeError::New(v.Env(),
                                 what.str() + " must be a boolean, got " + Describe(v));
    return v.As<Napi::Boolean>().Value();
  }
};
template <>
struct Arg<int> {
  static int Get(Napi::Value v, const Where& what) {
    return static_cast<int>(ToInteger(v, what, INT32_MIN, INT32_MAX));
  }
};
template <>
struct Arg<uint64_t> {
  static uint64_t Get(Napi::Value v, const Where& what) {
    return static_cast<uint64_t>(ToInteger(v, what, 0, 1LL << 53));
  }
};
template <>
struct Arg<double> {
  static double Get(Napi::Value v, const Where& what) {
    if (!v.IsNumber())
      throw Napi::TypeError::New(v.Env(),
                                 what.str() + " must be a number, got " + Describe(v));
    return v.As<Napi::Number>().DoubleValue();
  }
};
template <>
struct Arg<float> {
  static float Get(Napi::Value v, const Where& what) {
    return static_cast<float>(Arg<double>::Get(v, what));
  }
};
template <>
struct Arg<std::string> {
  static std::string Get(Napi::Value v, const Where& what) {
    if (!v.IsString())
      throw Napi::TypeError::New(v.Env(),
                                 what.str() + " must be a string, got " + Describe(v));
    return v.As<Napi::String>().Utf8Value();
  }
};
template <>
struct Arg<mx::Dtype> {
  static mx::Dtype Get(Napi::Value v, const Where& what) {
    return ParseDtype(v, what);
  }
};

// A JS array whose elements each convert as T.
template <typename Vec, typename T = typename Vec::value_type>
Vec ListOf(Napi::Value v, const Where& what) {
  if (!v.IsArray())
    throw Napi::TypeError::New(v.Env(),
                               what.str() + " must be an array, got " + Describe(v));
  auto list = v.As<Napi::Array>();
  Vec out;
  out.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i)
    out.push_back(Arg<T>::Get(list.Get(i), what.at(static_cast<int>(i))));
  return out;
}

template <>
struct Arg<mx::Shape> {
  static mx::Shape Get(Napi::Value v, const Where& what) {
    return ListOf<mx::Shape, int>(v, what);
  }
};
template <>
struct Arg<int64_t> {
  static int64_t Get(Napi::Value v, const Where& what) {
    return ToInteger(v, what, -(1LL << 53), 1LL << 53);
  }
};
template <>
struct Arg<mx::Strides> {
  static mx::Strides Get(Napi::Value v, const Where& what) {
    return ListOf<mx::Strides, int64_t>(v, what);
  }
};
// Axes: one integer or a list of them.
template <>
struct Arg<std::vector<int>> {
  static std::vector<int> Get(Napi::Value v, const Where& what) {
    if (v.IsNumber()) return {Arg<int>::Get(v, what)};
    return ListOf<std::vector<int>>(v, what);
  }
};
template <>
struct Arg<std::vector<mx::array>> {
  static std::vector<mx::array> Get(Napi::Value v, const Where& what) {
    return ListOf<std::vector<mx::array>>(v, what);
  }
};
template <>
struct Arg<std::vector<std::string>> {
  static std::vector<std::string> Get(Napi::Value v, const Where& what) {
    return ListOf<std::vector<std::string>>(v, what);
  }
};
template <typename T>
struct Arg<std::optional<T>> {
  static std::optional<T> Get(Napi::Value v, const Where& what) {
    if (v.IsUndefined() || v.IsNull()) return std::nullopt;
    return Arg<T>::Get(v, what);
  }
};
// Pairs and triples of ints (conv strides, paddings): a list of that length.
template <>
struct Arg<std::pair<int, int>> {
  static std::pair<int, int> Get(Napi::Value v, const Where& what) {
    auto l = ListOf<std::vector<int>>(v, what);
    if (l.size() != 2)
      throw Napi::TypeError::New(v.Env(), what.str() + " must have 2 integers, got " +
                                              std::to_string(l.size()));
    return {l[0], l[1]};
  }
};
template <>
struct Arg<std::tuple<int, int, int>> {
  static std::tuple<int, int, int> Get(Napi::Value v, const Where& what) {
    auto l = ListOf<std::vector<int>>(v, what);
    if (l.size() != 3)
      throw Napi::TypeError::New(v.Env(), what.str() + " must have 3 integers, got " +
                                              std::to_string(l.size()));
    return {l[0], l[1], l[2]};
  }
};

template <typename R>
struct Ret {
  static Napi::Value Make(Napi::Env env, R r) {
    if constexpr (std::is_same_v<R, mx::array>) {
      return Array::New(env, std::move(r));
    } else if constexpr (std::is_same_v<R, std::vector<mx::array>>) {
      auto out = Napi::Array::New(env, r.size());
      for (uint32_t i = 0; i < r.size(); ++i)
        out.Set(i, Array::New(env, std::move(r[i])));
      return out;
    } else if constexpr (std::is_same_v<R, std::vector<std::string>>) {
      auto out = Napi::Array::New(env, r.size());
      for (uint32_t i = 0; i < r.size(); ++i) out.Set(i, Napi::String::New(env, r[i]));
      return out;
    } else if constexpr (std::is_same_v<R, bool>) {
      return Napi::Boolean::New(env, r);
    } else if constexpr (std::is_arithmetic_v<R>) {
      return Napi::Number::New(env, static_cast<double>(r));
    } else if constexpr (std::is_same_v<R, std::string>) {
      return Napi::String::New(env, r);
    } else {
      return r;  // Napi::Value
    }
  }
};

template <typename R, typename... A, size_t... I>
Napi::Value Invoke(const Napi::CallbackInfo& info, const Site& site,
                   std::index_sequence<I...>) {
  auto fn = reinterpret_cast<R (*)(A...)>(site.fn);
  // Braced init converts the arguments left to right.
  std::tuple<std::decay_t<A>...> args{
      Arg<std::decay_t<A>>::Get(info[I], Where{site.op, site.args[I]})...};
  if constexpr (std::is_void_v<R>) {
    std::apply(fn, std::move(args));
    return info.Env().Undefined();
  } else {
    return Ret<R>::Make(info.Env(), std::apply(fn, std::move(args)));
  }
}

template <typename R, typename... A>
Napi::Value Call(const Napi::CallbackInfo& info) {
  const auto& site = *static_cast<const Site*>(info.Data());
  return Guard(info, [&] {
    return Invoke<R, A...>(info, site, std::index_sequence_for<A...>{});
  });
}

Site* NewSite(const std::string& signature, void* fn);

// Binds `fn` under the name in `signature` ("reshape(a, shape)").
template <typename R, typename... A>
void Def(Napi::Env env, Napi::Object exports, const std::string& signature,
         R (*fn)(A...)) {
  Site* site = NewSite(signature, reinterpret_cast<void*>(fn));
  exports.Set(site->op,
              Napi::Function::New(env, &Call<R, A...>, site->op, site));
}

// Binds a hand-written callback (for the few that need the raw arguments).
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
Napi::Value Raw(const Napi::CallbackInfo& info) {
  return Guard(info, [&] { return Fn(info); });
}
template <Napi::Value (*Fn)(const Napi::CallbackInfo&)>
void DefRaw(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, &Raw<Fn>, name));
}

}  // namespace mlx_tape
