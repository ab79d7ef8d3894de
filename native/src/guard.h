// The one place where a C++ exception becomes a JS error.
#pragma once

#include <napi.h>

#include <stdexcept>
#include <string>

namespace mlx_tape {

// The TS MlxError class, handed over once by native.init(MlxError).
Napi::Error MlxError(Napi::Env env, const std::string& message,
                     const char* code);

template <typename F>
Napi::Value Guard(const Napi::CallbackInfo& info, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception (TypeError/RangeError from a converter)
  } catch (const std::invalid_argument& e) {
    throw MlxError(info.Env(), e.what(), "MLX_INVALID_ARGUMENT");
  } catch (const std::out_of_range& e) {
    throw MlxError(info.Env(), e.what(), "MLX_OUT_OF_RANGE");
  } catch (const std::bad_alloc&) {
    throw MlxError(info.Env(), "[alloc] out of memory", "MLX_OUT_OF_MEMORY");
  } catch (const std::exception& e) {
    throw MlxError(info.Env(), e.what(), "MLX_RUNTIME");
  }
}

}  // namespace mlx_tape
