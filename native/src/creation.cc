// Creation ops: full, zeros, ones, arange, linspace, eye, tri, *Like.
#include "convert.h"

namespace mlx_tape {

void InitCreation(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "full(shape, value, dtype)", +[](mx::Shape shape, double v, mx::Dtype d) {
    return mx::full(std::move(shape), mx::array(v, d), d);
  });
  Def(env, exports, "zerosLike(a)", +[](const mx::array& a) { return mx::zeros_like(a); });
  Def(env, exports, "onesLike(a)", +[](const mx::array& a) { return mx::ones_like(a); });
}

}  // namespace mlx_tape
