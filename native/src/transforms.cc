// MLX's own autodiff, exposed only as a test oracle for our TS rules.
#include "convert.h"

namespace mlx_tape {

namespace {

// mlxVjp(fn, primals, cotangents): fn maps handles to handles with native
// ops; MLX traces it and returns [outputs, vjps].
Napi::Value MlxVjp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction())
    throw Napi::TypeError::New(env, "mlxVjp: argument 'fn' must be a function");
  auto fn = info[0].As<Napi::Function>();
  auto primals = Arg<std::vector<mx::array>>::Get(info[1], Where{"mlxVjp", "primals"});
  auto cotangents = Arg<std::vector<mx::array>>::Get(info[2], Where{"mlxVjp", "cotangents"});
  // Its handles and fn's are raw (no Tensor, so no tidy frees them): the GC's.
  struct OutOfScope {
    bool was = Array::InScope(false);
    ~OutOfScope() { Array::InScope(was); }
  } out_of_scope;
  auto traced = [&](const std::vector<mx::array>& xs) {
    auto args = Napi::Array::New(env, xs.size());
    for (uint32_t i = 0; i < xs.size(); ++i) args.Set(i, Array::New(env, xs[i]));
    return Arg<std::vector<mx::array>>::Get(fn.Call({args}), Where{"mlxVjp", "fn's result"});
  };
  auto [outputs, vjps] = mx::vjp(traced, primals, cotangents);
  auto result = Napi::Array::New(env, 2);
  result.Set(0u, Ret<std::vector<mx::array>>::Make(env, outputs));
  result.Set(1u, Ret<std::vector<mx::array>>::Make(env, vjps));
  return result;
}

}  // namespace

void InitTransforms(Napi::Env env, Napi::Object exports) {
  DefRaw<MlxVjp>(env, exports, "mlxVjp");
}

}  // namespace mlx_tape
