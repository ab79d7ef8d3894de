// Element-wise ops: unary and binary tables, plus where/clip/nanToNum/round.
#include <mlx/compile.h>

#include "convert.h"

namespace mlx_tape {

namespace {

using UnaryFn = mx::array (*)(const mx::array&);
using BinaryFn = mx::array (*)(Operand, Operand);

template <mx::array (*Op)(const mx::array&, mx::StreamOrDevice)>
mx::array Unary(const mx::array& a) {
  return Op(a, {});
}

// Numbers on either side are weak scalars (see WithOperands).
template <mx::array (*Op)(const mx::array&, const mx::array&, mx::StreamOrDevice)>
mx::array Binary(Operand a, Operand b) {
  return WithOperands(a, b, [](const mx::array& x, const mx::array& y) { return Op(x, y, {}); });
}

const std::pair<const char*, UnaryFn> kUnary[] = {
    {"abs(a)", Unary<mx::abs>},           {"negative(a)", Unary<mx::negative>},
    {"sign(a)", Unary<mx::sign>},         {"exp(a)", Unary<mx::exp>},
    {"expm1(a)", Unary<mx::expm1>},       {"log(a)", Unary<mx::log>},
    {"log1p(a)", Unary<mx::log1p>},       {"log2(a)", Unary<mx::log2>},
    {"log10(a)", Unary<mx::log10>},       {"sqrt(a)", Unary<mx::sqrt>},
    {"rsqrt(a)", Unary<mx::rsqrt>},       {"square(a)", Unary<mx::square>},
    {"reciprocal(a)", Unary<mx::reciprocal>}, {"sin(a)", Unary<mx::sin>},
    {"cos(a)", Unary<mx::cos>},           {"tan(a)", Unary<mx::tan>},
    {"arcsin(a)", Unary<mx::arcsin>},     {"arccos(a)", Unary<mx::arccos>},
    {"arctan(a)", Unary<mx::arctan>},     {"sinh(a)", Unary<mx::sinh>},
    {"cosh(a)", Unary<mx::cosh>},         {"tanh(a)", Unary<mx::tanh>},
    {"arcsinh(a)", Unary<mx::arcsinh>},   {"arccosh(a)", Unary<mx::arccosh>},
    {"arctanh(a)", Unary<mx::arctanh>},   {"sigmoid(a)", Unary<mx::sigmoid>},
    {"erf(a)", Unary<mx::erf>},           {"erfinv(a)", Unary<mx::erfinv>},
    {"floor(a)", Unary<mx::floor>},       {"ceil(a)", Unary<mx::ceil>},
    {"logicalNot(a)", Unary<mx::logical_not>}, {"isnan(a)", Unary<mx::isnan>},
    {"isinf(a)", Unary<mx::isinf>},       {"isfinite(a)", Unary<mx::isfinite>},
    {"stopGradient(a)", Unary<mx::stop_gradient>},
};

const std::pair<const char*, BinaryFn> kBinary[] = {
    {"add(a, b)", Binary<mx::add>},
    {"subtract(a, b)", Binary<mx::subtract>},
    {"multiply(a, b)", Binary<mx::multiply>},
    {"divide(a, b)", Binary<mx::divide>},
    {"floorDivide(a, b)", Binary<mx::floor_divide>},
    {"power(a, b)", Binary<mx::power>},
    {"remainder(a, b)", Binary<mx::remainder>},
    {"maximum(a, b)", Binary<mx::maximum>},
    {"minimum(a, b)", Binary<mx::minimum>},
    {"arctan2(a, b)", Binary<mx::arctan2>},
    {"logaddexp(a, b)", Binary<mx::logaddexp>},
    {"equal(a, b)", Binary<mx::equal>},
    {"notEqual(a, b)", Binary<mx::not_equal>},
    {"less(a, b)", Binary<mx::less>},
    {"lessEqual(a, b)", Binary<mx::less_equal>},
    {"greater(a, b)", Binary<mx::greater>},
    {"greaterEqual(a, b)", Binary<mx::greater_equal>},
    {"logicalAnd(a, b)", Binary<mx::logical_and>},
    {"logicalOr(a, b)", Binary<mx::logical_or>},
};

}  // namespace

void InitElementwise(Napi::Env env, Napi::Object exports) {
  for (auto [signature, fn] : kUnary) Def(env, exports, signature, fn);
  for (auto [signature, fn] : kBinary) Def(env, exports, signature, fn);
  Def(env, exports, "where(condition, x, y)", +[](const mx::array& c, Operand x, Operand y) {
    return WithOperands(x, y, [&](const mx::array& a, const mx::array& b) { return mx::where(c, a, b); });
  });
  // clip(a, min, max): either bound may be null; numbers take a's dtype.
  Def(env, exports, "clip(a, min, max)", +[](const mx::array& a, Operand lo, Operand hi) {
    auto bound = [&](const Operand& o) -> std::optional<mx::array> {
      if (o.value.IsUndefined() || o.value.IsNull()) return std::nullopt;
      const mx::array* bound = Array::Find(o.value, o.where);
      return bound ? *bound : ScalarLike(o.value, a, o.where);
    };
    return mx::clip(a, bound(lo), bound(hi));
  });
  Def(env, exports, "nanToNum(a, nan, posinf, neginf)",
      +[](const mx::array& a, float nan, std::optional<float> posinf, std::optional<float> neginf) {
        return mx::nan_to_num(a, nan, posinf, neginf);
      });
  Def(env, exports, "round(a, decimals)", +[](const mx::array& a, int decimals) {
    return mx::round(a, decimals);
  });
  // maximum(a, 0), for floating dtypes through a shapeless mx::compile, as
  // MLX-Python's nn.relu: its generated kernel takes about half the CPU time
  // of the Maximum primitive (bench/micro/relu.ts). Other dtypes take
  // maximum(a, 0) as the JS number 0 gives it (a bool input gives int32).
  Def(env, exports, "relu(a)", +[](const mx::array& a) {
    if (!mx::issubdtype(a.dtype(), mx::floating)) return mx::maximum(a, WeakScalar(0, a.dtype()));
    static const auto compiled = mx::compile(
        [](const std::vector<mx::array>& in) {
          return std::vector<mx::array>{mx::maximum(in[0], mx::array(0, in[0].dtype()))};
        },
        /*shapeless=*/true);
    return compiled({a})[0];
  });
}

}  // namespace mlx_tape
