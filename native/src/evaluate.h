// Evaluation of MLX arrays, on a thread of the addon's own where that pays.
#pragma once

#include <napi.h>

#include <vector>

#include "mlx/mlx.h"

namespace mlx_tape {

namespace mx = mlx::core;

// mx::eval(arrays), run on the evaluation thread on CPU-only builds (see
// evaluate.cc); the caller waits, and gets MLX's exception if it throws.
void Evaluate(std::vector<mx::array> arrays);

}  // namespace mlx_tape
