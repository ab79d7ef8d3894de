// Linear algebra: products and contractions. MLX checks shapes itself; its
// messages start with "[matmul]", "[tensordot]", "[einsum]", ...
#include <mlx/einsum.h>

#include "convert.h"
#include "kernels.h"

namespace mlx_tape {

namespace {

// Whether `rows` rows of a (its last axis: the inner one) times b (+ bias)
// go to MatmulBlas (kernels.h): float32 matrices on the CPU, where the addon
// links OpenBLAS; a bias, if any, one row of b's width. sgemm's sizes and
// strides are ints.
bool ByBlas(int64_t rows, const mx::array& a, const mx::array& b, const std::optional<mx::array>& bias = {}) {
  constexpr int64_t kMaxInt = 0x7fffffff;
  const int64_t inner = a.shape(-1);
  return kBlasLinked && rows > 0 && inner > 0 && rows * inner < kMaxInt && a.dtype() == mx::float32 &&
         b.ndim() == 2 && b.dtype() == mx::float32 && b.shape(0) == inner && b.shape(1) > 0 &&
         static_cast<int64_t>(b.size()) < kMaxInt && mx::default_device() == mx::Device::cpu &&
         (!bias || (bias->dtype() == mx::float32 && bias->ndim() == 1 && bias->shape(0) == b.shape(1)));
}

}  // namespace

void InitLinalg(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "matmul(a, b)", +[](const mx::array& a, const mx::array& b) {
    return a.ndim() == 2 && ByBlas(a.shape(0), a, b) ? MatmulBlas(a, b, std::nullopt) : mx::matmul(a, b);
  });
  Def(env, exports, "addmm(c, a, b, alpha, beta)",
      +[](const mx::array& c, const mx::array& a, const mx::array& b,
          float alpha, float beta) { return mx::addmm(c, a, b, alpha, beta); });
  // x · weightᵀ (+ bias), weight [outputs, inputs] as nn.Linear keeps it: the
  // transpose and the product in one call (mt.linear checks the shapes).
  Def(env, exports, "linear(x, weight, bias)",
      +[](const mx::array& x, const mx::array& weight, std::optional<mx::array> bias) {
        auto wt = mx::transpose(weight);
        if (x.ndim() >= 2 && x.shape(-1) > 0 && ByBlas(x.size() / x.shape(-1), x, wt, bias)) {
          if (x.ndim() == 2) return MatmulBlas(x, wt, bias);
          auto shape = x.shape();  // the rows of x as one matrix, then back in x's leading axes
          shape.back() = weight.shape(0);
          return mx::reshape(MatmulBlas(mx::reshape(x, {-1, x.shape(-1)}), wt, bias), shape);
        }
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
