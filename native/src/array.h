// A JS handle per MLX array: an External holding the array, type-tagged so a
// stray object is a TypeError, never a crash.
#pragma once

#include <napi.h>

#include <optional>

#include "mlx/mlx.h"

namespace mlx_tape {

namespace mx = mlx::core;

// Where an argument sits, for error messages: "reshape: argument 'shape'".
// Views into strings that outlive the call; the message is built on error only.
struct Where {
  std::string_view op;
  std::string_view arg;
  int element = -1;
  std::string str() const {
    std::string s = std::string(op) + ": argument '" + std::string(arg) + "'";
    return element < 0 ? s : s + "[" + std::to_string(element) + "]";
  }
  Where at(int i) const { return {op, arg, i}; }
};

class Array {
 public:
  // Wraps `a` in a new handle and reports its bytes to V8.
  static Napi::Value New(Napi::Env env, mx::array a);
  // The array behind a handle; `what` names the op and argument in errors.
  static mx::array& From(Napi::Value value, const Where& what);
  static bool Is(Napi::Value value);
  // Frees the array now; idempotent. Returns whether it was live.
  static bool Dispose(Napi::Value value);
  // Handles not yet finalized by the GC, disposed or not.
  static int64_t Count() { return count_; }
  // While true, new handles' bytes are not reported to V8 until Reported().
  static void ReportLater(bool later);
  static Array* Unwrap(Napi::Value value);
  // Reports this live handle's bytes to V8 once (no-op when done or disposed).
  void Reported(napi_env env);

 private:
  explicit Array(mx::array a);
  ~Array() { --count_; }
  static void Finalize(napi_env env, void* data, void* hint);
  std::optional<mx::array> array_;
  int64_t bytes_;
  bool reported_ = false;
  static thread_local int64_t count_;
};

void InitArray(Napi::Env env, Napi::Object exports);

}  // namespace mlx_tape
