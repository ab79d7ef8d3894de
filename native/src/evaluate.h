// Evaluation of MLX arrays.
#pragma once

#include <napi.h>

#include <vector>

#include "mlx/mlx.h"

namespace mlx_tape {

namespace mx = mlx::core;

// mx::eval(arrays), the CPU stream's thread first put on the caller's CPU on
// CPU-only builds (see evaluate.cc); MLX's exception if it throws.
void Evaluate(std::vector<mx::array> arrays);

}  // namespace mlx_tape
