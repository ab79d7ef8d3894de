// The CPU kernels of kernels.cc that other native files build on.
#pragma once

#include <vector>

#include "mlx/array.h"

namespace mlx_tape {

namespace mx = mlx::core;

// The im2col matrix [N * prod(out), prod(window) * C] of a convolution of x
// [N, ...spatial, C] without dilation or groups, in one pass on the CPU
// stream (the default, which must be the CPU's). Any dtype but complex.
mx::array Im2colCpu(const mx::array& x, std::vector<int> window, std::vector<int> stride, std::vector<int> lo,
                    std::vector<int> hi);

}  // namespace mlx_tape
