// The kernels that other native files build on.
#pragma once

#include <optional>
#include <vector>

#include "mlx/array.h"
#include "mlx/stream.h"

namespace mlx_tape {

namespace mx = mlx::core;

// The im2col matrix [N * prod(out), prod(window) * C] of a convolution of x
// [N, ...spatial, C] without dilation or groups, in one pass on the CPU
// stream (the default, which must be the CPU's). Any dtype but complex.
mx::array Im2colCpu(const mx::array& x, std::vector<int> window, std::vector<int> stride, std::vector<int> lo,
                    std::vector<int> hi);

// Max pooling of x [N, ...spatial, C] over tiled windows of `kernel` (1 to
// 3 axes; stride = kernel, no padding; `pooled` the pooled shape) on stream
// s of a CUDA GPU, float32, float16 or bfloat16: the pooled values, or with
// `backward` and inputs {x, out, dy} the gradient (cuda_kernels.cc).
// Errors name `op`.
mx::array TiledMaxPoolCuda(const char* op, const std::vector<mx::array>& inputs, const std::vector<int>& kernel,
                           const mx::Shape& pooled, bool backward, const mx::Stream& s);

// dy · [x > value] (`greater`, else <) on stream s of a CUDA GPU, dy and x
// of one shape and dtype, float32, float16 or bfloat16 (cuda_kernels.cc).
mx::array MaskedByCuda(const mx::array& dy, const mx::array& x, double value, bool greater, const mx::Stream& s);

// alpha · x + beta · y on stream s of a CUDA GPU, x and y of one shape and
// dtype, float32, float16 or bfloat16 (cuda_kernels.cc).
mx::array AxpbyCuda(const mx::array& x, const mx::array& y, double alpha, double beta, const mx::Stream& s);

// Adam's update [p', m', v'] of float32 inputs {p, g, m, v} of one shape on
// stream s of a CUDA GPU; k: b1, 1 - b1, b2, 1 - b2, c1, c2, eps, decay, -lr
// as float32 (cuda_kernels.cc).
std::vector<mx::array> AdamStepCuda(const std::vector<mx::array>& inputs, const std::vector<float>& k,
                                    const mx::Stream& s);

// a [m, k] · b [k, n] (+ bias [n] in every row), float32, on the CPU stream
// (the default, which must be the CPU's) through OpenBLAS's sgemm, each
// operand as it lies in memory, a transposed view included; where the addon
// links OpenBLAS (kBlasLinked), else an error. linalg.cc sends the CPU's
// float32 matrix products here, once its ByBlas has checked the operands.
mx::array MatmulBlas(const mx::array& a, const mx::array& b, const std::optional<mx::array>& bias);
#ifdef MLX_TAPE_OPENBLAS_LINKED
constexpr bool kBlasLinked = true;
#else
constexpr bool kBlasLinked = false;
#endif

}  // namespace mlx_tape
