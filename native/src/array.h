// A JS handle per MLX array: a key naming a slot of the array table (a BigInt,
// or an External's data), so a stray value or a stale handle is an error,
// never a crash.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <vector>

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

// A handle is a key: a slot in a table of arrays, its generation, the thread
// that owns the table and a magic tag. So a disposed handle whose slot was
// reused is told apart (a stale generation), a foreign value is refused (no
// magic: user-space pointers have zero upper bits), and a handle costs no
// allocation of its own.
//
// A handle made inside tidy (InScope) is tidy's to free: it is a BigInt,
// which needs no GC finalizer (whose weak reference costs every scavenge time,
// a third of the GC time of a W1 step), and V8 is not told of its bytes. One
// that outlives its scope is handed to the GC then, through the object that
// holds it (Outlive). So JS must wrap every handle made inside tidy in a
// Tensor, which the scope frees or outlives, or dispose it. Handles made out
// of scope are Externals whose finalizer frees the array.
class Array {
 public:
  // Wraps `a` in a new handle.
  static Napi::Value New(Napi::Env env, mx::array a);
  // The array behind a handle; `what` names the op and argument in errors.
  static mx::array& From(Napi::Value value, const Where& what);
  // As From, but null for a value of no handle type (a number, say); a
  // foreign or disposed handle still throws.
  static mx::array* Find(Napi::Value value, const Where& what);
  // Whether `value` is a handle of this addon, live or disposed.
  static bool Is(Napi::Value value);
  // Frees the array now; idempotent. Returns whether it was live.
  static bool Dispose(Napi::Value value);
  // Dispose for each key of a BigUint64Array of in-scope handles (tidy's
  // end: one call, not one per handle); stale keys are skipped.
  static void DisposeKeys(Napi::BigUint64Array keys);
  // Live handles: not disposed and not finalized by the GC (slots in use).
  static int64_t Count();
  // While true (inside tidy), new handles get no finalizer and no memory
  // report. Returns the previous setting.
  static bool InScope(bool in_scope);
  // A live handle made in scope outlives it: V8 hears of its bytes, and the GC
  // frees it once `owner`, the object holding the handle, is collected (if it
  // is never disposed). No-op for other handles.
  static void Outlive(Napi::Env env, Napi::Value value, Napi::Value owner);
  // The arrays behind every live handle (compile's capture check).
  static std::vector<mx::array> Live();

 private:
  static void Finalize(napi_env env, void* key, void* hint);
};

void InitArray(Napi::Env env, Napi::Object exports);

}  // namespace mlx_tape
