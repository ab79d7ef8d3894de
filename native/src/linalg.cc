// Linear algebra: products and contractions. MLX checks shapes itself; its
// messages start with "[matmul]", "[tensordot]", "[einsum]", ...
#include <mlx/einsum.h>

#include "convert.h"

namespace mlx_tape {

void InitLinalg(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "matmul(a, b)", +[](const mx::array& a, const mx::array& b) {
    return mx::matmul(a, b);
  });
  Def(env, exports, "addmm(c, a, b, alpha, beta)",
      +[](const mx::array& c, const mx::array& a, const mx::array& b,
          float alpha, float beta) { return mx::addmm(c, a, b, alpha, beta); });
  // x · weightᵀ (+ bias), weight [outputs, inputs] as nn.Linear keeps it: the
  // transpose and the product in one call (mt.linear checks the shapes).
  Def(env, exports, "linear(x, weight, bias)",
      +[](const mx::array& x, const mx::array& weight, std::optional<mx::array> bias) {
        auto wt = mx::transpose(weight);
        return bias ? mx::addmm(*bias, x, wt) : mx::matmul(x, wt);
      });
  Def(env, exports, "outer(a, b)", +[](const mx::array& a, const mx::array& b) {
    return mx::outer(a, b);
  });
  Def(env, exports, "inner(a, b)", +[](const mx::array& a, const mx::array& b) {
    return mx::inner(a, b);
  });
  // tensordot(a, b, n) contracts the last n axes of a with the first n of b;
  // tensordot(a, b, axesA, axesB) contracts the listed axes pairwise.
  Def(env, exports, "tensordot(a, b, axesA, axesB)",
      +[](const mx::array& a, const mx::array& b, std::vector<int> axes_a,
          std::optional<std::vector<int>> axes_b) {
        if (axes_b) return mx::tensordot(a, b, axes_a, *axes_b);
        if (axes_a.size() != 1)
          throw std::invalid_argument(
              "[tensordot] axes must be a number or a pair of axis lists");
        return mx::tensordot(a, b, axes_a[0]);
      });
  Def(env, exports, "einsum(subscripts, operands)",
      +[](std::string subscripts, std::vector<mx::array> operands) {
        return mx::einsum(subscripts, operands);
      });
}

}  // namespace mlx_tape
