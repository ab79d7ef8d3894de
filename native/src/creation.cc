// Creation ops: full, zeros, ones, arange, linspace, eye, tri, *Like.
#include "convert.h"

namespace mlx_tape {

void InitCreation(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "full(shape, value, dtype)", +[](mx::Shape shape, double v, mx::Dtype d) {
    return mx::full(std::move(shape), mx::array(v, d), d);
  });
  Def(env, exports, "zerosLike(a)", +[](const mx::array& a) { return mx::zeros_like(a); });
  Def(env, exports, "onesLike(a)", +[](const mx::array& a) { return mx::ones_like(a); });
  Def(env, exports, "arange(start, stop, step, dtype)",
      +[](double start, double stop, double step, mx::Dtype d) {
        // MLX divides by step to size the result: 0 would be inf or NaN.
        if (step == 0) throw std::invalid_argument("[arange] step must not be 0");
        return mx::arange(start, stop, step, d);
      });
  Def(env, exports, "linspace(start, stop, num, dtype)",
      +[](double start, double stop, int num, mx::Dtype d) {
        return mx::linspace(start, stop, num, true, d);
      });
  Def(env, exports, "eye(n, m, k, dtype)", +[](int n, int m, int k, mx::Dtype d) {
    return mx::eye(n, m, k, d);
  });
  Def(env, exports, "identity(n, dtype)", +[](int n, mx::Dtype d) { return mx::identity(n, d); });
  Def(env, exports, "tri(n, m, k, dtype)", +[](int n, int m, int k, mx::Dtype d) {
    return mx::tri(n, m, k, d);
  });
}

}  // namespace mlx_tape
