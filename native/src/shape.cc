// Shape ops: reshape, transpose, concatenate, pad, ... (no data math).
#include "convert.h"

namespace mlx_tape {

void InitShape(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "reshape(a, shape)", +[](const mx::array& a, mx::Shape shape) {
    return mx::reshape(a, std::move(shape));
  });
  Def(env, exports, "broadcastTo(a, shape)", +[](const mx::array& a, mx::Shape shape) {
    return mx::broadcast_to(a, shape);
  });
}

}  // namespace mlx_tape
