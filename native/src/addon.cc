// The addon's entry: each op family registers its exports (MLX's mlx.cpp
// style); this file holds the process-wide pieces: errors, devices, memory.
#include <napi.h>

#include <algorithm>
#include <mutex>

#include "array.h"
#include "convert.h"
#include "guard.h"

#ifdef MLX_TAPE_OPENBLAS_LINKED
extern "C" char* openblas_get_corename();
#endif

namespace mlx_tape {

void InitElementwise(Napi::Env env, Napi::Object exports);
void InitShape(Napi::Env env, Napi::Object exports);
void InitReduce(Napi::Env env, Napi::Object exports);
void InitCreation(Napi::Env env, Napi::Object exports);
void InitTransforms(Napi::Env env, Napi::Object exports);
void InitCompile(Napi::Env env, Napi::Object exports);
void InitLinalg(Napi::Env env, Napi::Object exports);
void InitConv(Napi::Env env, Napi::Object exports);
void InitKernels(Napi::Env env, Napi::Object exports);
void InitIndexing(Napi::Env env, Napi::Object exports);
void InitRandom(Napi::Env env, Napi::Object exports);
void InitIo(Napi::Env env, Napi::Object exports);
void InitDistributed(Napi::Env env, Napi::Object exports);
void InitEvaluate(Napi::Env env, Napi::Object exports);

namespace {

struct InstanceData {
  Napi::FunctionReference mlx_error;
};

Napi::Value Init(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction())
    throw Napi::TypeError::New(info.Env(), "init: argument 'MlxError' must be a class");
  info.Env().GetInstanceData<InstanceData>()->mlx_error =
      Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

mx::Device ParseDevice(const std::string& name) {
  if (name == "cpu") return mx::Device::cpu;
  if (name == "gpu") return mx::Device::gpu;
  throw std::invalid_argument("[setDefaultDevice] device must be 'cpu' or 'gpu', got '" +
                              name + "'");
}

std::string Backend() {
  if (!mx::is_available(mx::Device::gpu)) return "cpu";
#ifdef __APPLE__
  return "metal";
#else
  return "cuda";
#endif
}

// The kernel set OpenBLAS chose at load ('' when MLX's own BLAS is in use):
// native.ts may have named it through OPENBLAS_CORETYPE first.
#ifdef MLX_TAPE_OPENBLAS_LINKED
std::string BlasCore() { return openblas_get_corename(); }
#else
std::string BlasCore() { return ""; }
#endif

// MLX keeps 32 MiB of freed CPU buffers by default: the larger buffers of
// a CNN step (W2's peaks at ~100 MiB) then go back to the system every step
// and return as page faults: 876K against 48K in 45 W2 steps, 55-61 ms a
// step against 31-33 with 1 GiB kept (bench/micro/w2-cache.ts). mlx-tape keeps up to a quarter of MLX's memory limit, at
// most 1 GiB, never less than MLX's own default; once per process, so a
// worker thread loading the addon keeps what the user set.
void RaiseCacheLimit() {
  static std::once_flag once;
  std::call_once(once, [] {
    const size_t want = std::min<size_t>(mx::get_memory_limit() / 4, size_t{1} << 30);
    const size_t before = mx::set_cache_limit(want);
    if (before > want) mx::set_cache_limit(before);
  });
}

}  // namespace

Napi::Error MlxError(Napi::Env env, const std::string& message,
                     const char* code) {
  auto* data = env.GetInstanceData<InstanceData>();
  if (!data || data->mlx_error.IsEmpty()) {
    auto error = Napi::Error::New(env, message);
    error.Set("code", code);
    return error;
  }
  return Napi::Error(env, data->mlx_error.New({Napi::String::New(env, message),
                                                Napi::String::New(env, code)}));
}

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new InstanceData());
  RaiseCacheLimit();
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  Def(env, exports, "mlxVersion()", +[]() { return std::string(mx::version()); });
  Def(env, exports, "backend()", +[]() { return Backend(); });
  Def(env, exports, "blasCore()", +[]() { return BlasCore(); });
  Def(env, exports, "isAvailable(device)", +[](std::string d) {
    return mx::is_available(ParseDevice(d));
  });
  Def(env, exports, "setDefaultDevice(device)", +[](std::string d) {
    mx::set_default_device(ParseDevice(d));
  });
  Def(env, exports, "defaultDevice()", +[]() {
    return std::string(mx::default_device() == mx::Device::gpu ? "gpu" : "cpu");
  });
  Def(env, exports, "getActiveMemory()", +[]() { return mx::get_active_memory(); });
  Def(env, exports, "getPeakMemory()", +[]() { return mx::get_peak_memory(); });
  Def(env, exports, "getCacheMemory()", +[]() { return mx::get_cache_memory(); });
  Def(env, exports, "resetPeakMemory()", +[]() { mx::reset_peak_memory(); });
  Def(env, exports, "clearCache()", +[]() { mx::clear_cache(); });
  Def(env, exports, "setCacheLimit(bytes)", +[](uint64_t b) { return mx::set_cache_limit(b); });
  Def(env, exports, "setMemoryLimit(bytes)", +[](uint64_t b) { return mx::set_memory_limit(b); });
  InitEvaluate(env, exports);  // first: it sets the default CPU stream
  InitArray(env, exports);
  InitElementwise(env, exports);
  InitShape(env, exports);
  InitReduce(env, exports);
  InitCreation(env, exports);
  InitTransforms(env, exports);
  InitCompile(env, exports);
  InitLinalg(env, exports);
  InitConv(env, exports);
  InitKernels(env, exports);
  InitIndexing(env, exports);
  InitRandom(env, exports);
  InitIo(env, exports);
  InitDistributed(env, exports);
  return exports;
}

}  // namespace mlx_tape

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  return mlx_tape::InitAddon(env, exports);
}
NODE_API_MODULE(mlx_tape, Init)
