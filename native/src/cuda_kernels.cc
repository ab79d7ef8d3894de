// The addon's own CUDA kernels, where MLX's eager GPU ops take several
// kernels for one of ours:
// - max pooling over tiled windows (stride = kernel, no padding) and its
//   gradient, with the CPU loops' rules (NaN wins the forward; the gradient
//   goes to the first element equal to the max, none when it is NaN).
//   Composed, the gradient is five strided passes (select, a max over uint8
//   ranks, equal, select) that took 4x the time of the forward's max
//   reduction (W2's two pools under Nsight Compute, H100);
// - maskedBy, dy * [x > value] (relu's backward): three kernels composed
//   (compare, cast the bools, multiply);
// - the optimizers' updates: axpby, alpha * x + beta * y (SGD's p - lr * g),
//   two kernels composed; Adam's whole update, eleven.
//
// They are compiled here with NVRTC, which MLX's CUDA build already loads,
// and run through MLX's precompiled_cuda_kernel. Through MLX's cuda_kernel,
// which compiles with MLX's device headers, the first maxPool2d of each
// process took 1.8-2.5 s on the H100 machine, every time; these sources need
// no header (16-bit floats are handled as their bits) and the first call
// took 81-94 ms there (bench/micro/gpu-own-kernels.ts, then gpu-pool.ts).
#include "kernels.h"

#ifndef __APPLE__
#include <dlfcn.h>

#include <algorithm>
#include <limits>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "convert.h"
#include "mlx/fast.h"
#endif

namespace mlx_tape {

#ifdef __APPLE__
mx::array TiledMaxPoolCuda(const char* op, const std::vector<mx::array>&, const std::vector<int>&, const mx::Shape&,
                           bool, const mx::Stream&) {
  throw std::invalid_argument(std::string("[") + op + "] has no Metal kernel; the default device is the GPU");
}
mx::array MaskedByCuda(const mx::array&, const mx::array&, double, bool, const mx::Stream&) {
  throw std::invalid_argument("[maskedBy] has no Metal kernel; the default device is the GPU");
}
mx::array AxpbyCuda(const mx::array&, const mx::array&, double, double, const mx::Stream&) {
  throw std::invalid_argument("[axpby] has no Metal kernel; the default device is the GPU");
}
std::vector<mx::array> AdamStepCuda(const std::vector<mx::array>&, const std::vector<float>&, const mx::Stream&) {
  throw std::invalid_argument("[adamStep] has no Metal kernel; the default device is the GPU");
}
#else
namespace {

// The element type E of a kernel, by -DELEM: 0 float32, 1 float16, 2
// bfloat16; arithmetic in float, rounded to nearest even by narrow(). One
// op of two E values in float, then narrowed, is the op rounded in E (float
// has more than twice E's precision, plus two bits), as MLX's kernels give
// it. The _rn intrinsics round each op on its own: NVRTC would fuse a * b + c.
constexpr const char* kElements = R"(
#if ELEM == 0
typedef float E;
__device__ float widen(E v) { return v; }
__device__ E narrow(float f) { return f; }
#elif ELEM == 1
typedef unsigned short E;
__device__ float widen(E v) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v)); return f; }
__device__ E narrow(float f) { E v; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(v) : "f"(f)); return v; }
#else
typedef unsigned short E;
__device__ float widen(E v) { return __uint_as_float((unsigned int)v << 16); }
__device__ E narrow(float f) {
  const unsigned int u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (E)((u >> 16) | 0x40u);  // NaN stays NaN
  return (E)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
#endif
)";

// One thread per output element i: the offset of its window's first
// element in x and each window axis' stride, then the window's elements in
// row-major order. Spatial axes past the input's are size 1, window 1.
constexpr const char* kPool = R"(
extern "C" __global__ void KERNEL(
#if BACKWARD
    const E* x, const E* out, const E* dy, E* dx,
#else
    const E* x, E* pooled,
#endif
    int n, int s0, int s1, int s2, int c, int k0, int k1, int k2) {
  const int s[3] = {s0, s1, s2}, k[3] = {k0, k1, k2};
  const long long outputs = (long long)n * (s0 / k0) * (s1 / k1) * (s2 / k2) * c;
  const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= outputs) return;
  long long rest = i / c, first = i % c, stride = c, step[3];
  for (int d = 2; d >= 0; --d) {
    const long long o = s[d] / k[d];
    first += (rest % o) * k[d] * stride;
    step[d] = stride;
    stride *= s[d];
    rest /= o;
  }
  first += rest * stride;
#if BACKWARD
  const float best = widen(out[i]);
  bool open = true;
#else
  E best = x[first];
#endif
  for (int a = 0; a < k0; ++a)
    for (int b = 0; b < k1; ++b)
      for (int e = 0; e < k2; ++e) {
        const long long at = first + a * step[0] + b * step[1] + e * step[2];
#if BACKWARD
        const bool wins = open && widen(x[at]) == best;
        open = open && !wins;
        dx[at] = wins ? dy[i] : E(0);
#else
        const float f = widen(x[at]);
        if (f > widen(best) || f != f) best = x[at];
#endif
      }
#if !BACKWARD
  pooled[i] = best;
#endif
}
)";

// alpha * x + beta * y, each op rounded as the composed ops round it.
constexpr const char* kAxpby = R"(
extern "C" __global__ void KERNEL(const E* x, const E* y, E* out, int size, float alpha, float beta) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= size) return;
  const E ax = narrow(__fmul_rn(alpha, widen(x[i]))), by = narrow(__fmul_rn(beta, widen(y[i])));
  out[i] = narrow(__fadd_rn(widen(ax), widen(by)));
}
)";

// Adam's update of float32 p, g, m, v, each op rounded as the composed ops
// round it, in their order (kernels.cc's AdamLoop).
constexpr const char* kAdam = R"(
extern "C" __global__ void KERNEL(const float* p, const float* g, const float* m, const float* v, float* p_out,
    float* m_out, float* v_out, int size, float b1, float a1, float b2, float a2, float c1, float c2, float eps,
    float decay, float neg_lr) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= size) return;
  const float gi = g[i];
  const float mi = __fadd_rn(__fmul_rn(b1, m[i]), __fmul_rn(a1, gi));
  const float vi = __fadd_rn(__fmul_rn(b2, v[i]), __fmul_rn(a2, __fmul_rn(gi, gi)));
  const float step = __fdiv_rn(__fdiv_rn(mi, c1), __fadd_rn(__fsqrt_rn(__fdiv_rn(vi, c2)), eps));
  p_out[i] = __fadd_rn(__fmul_rn(p[i], decay), __fmul_rn(neg_lr, step));
  m_out[i] = mi;
  v_out[i] = vi;
}
)";

// dy * [x > value] (or <), a product as the CPU kernel's: NaN for 0 * inf.
constexpr const char* kMaskedBy = R"(
extern "C" __global__ void KERNEL(const E* dy, const E* x, E* out, int size, float value, bool greater) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= size) return;
  const float v = widen(x[i]);
  out[i] = narrow(widen(dy[i]) * ((greater ? v > value : v < value) ? 1.0f : 0.0f));
}
)";

// The few NVRTC calls used, from the libnvrtc that libmlx loaded.
struct Nvrtc {
  using Program = void*;
  int (*create)(Program*, const char*, const char*, int, const char* const*, const char* const*);
  int (*compile)(Program, int, const char* const*);
  int (*ptx_size)(Program, size_t*);
  int (*ptx)(Program, char*);
  int (*log_size)(Program, size_t*);
  int (*log)(Program, char*);
  int (*destroy)(Program*);
  const char* (*error)(int);
};

const Nvrtc& LoadNvrtc() {
  static const Nvrtc nvrtc = [] {
    void* lib = nullptr;
    for (const char* name : {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"})
      if ((lib = dlopen(name, RTLD_NOW | RTLD_NOLOAD))) break;
    if (!lib) throw std::runtime_error("NVRTC is not loaded: this is not a CUDA build of MLX");
    const auto get = [lib](auto& fn, const char* symbol) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, symbol));
      if (!fn) throw std::runtime_error(std::string("NVRTC lacks ") + symbol);
    };
    Nvrtc n;
    get(n.create, "nvrtcCreateProgram");
    get(n.compile, "nvrtcCompileProgram");
    get(n.ptx_size, "nvrtcGetPTXSize");
    get(n.ptx, "nvrtcGetPTX");
    get(n.log_size, "nvrtcGetProgramLogSize");
    get(n.log, "nvrtcGetProgramLog");
    get(n.destroy, "nvrtcDestroyProgram");
    get(n.error, "nvrtcGetErrorString");
    return n;
  }();
  return nvrtc;
}

// PTX of `source` (after kElements) as kernel `name`, with -D `defines`,
// for NVRTC's default (oldest) architecture, which the driver compiles on
// for the GPU at hand.
std::string Compile(const std::string& name, const char* source, const std::vector<std::string>& defines) {
  const Nvrtc& nv = LoadNvrtc();
  Nvrtc::Program program;
  const auto check = [&](int status, const char* what) {
    if (status != 0) throw std::runtime_error(std::string(what) + ": " + nv.error(status));
  };
  const std::string text = std::string(kElements) + source;
  check(nv.create(&program, text.c_str(), (name + ".cu").c_str(), 0, nullptr, nullptr), "nvrtcCreateProgram");
  std::vector<std::string> flags = {"-DKERNEL=" + name};
  for (const auto& d : defines) flags.push_back("-D" + d);
  std::vector<const char*> options;
  for (const auto& f : flags) options.push_back(f.c_str());
  const int compiled = nv.compile(program, static_cast<int>(options.size()), options.data());
  std::string out;
  if (compiled != 0) {
    size_t size = 0;
    nv.log_size(program, &size);
    out.resize(size);
    nv.log(program, out.data());
    nv.destroy(&program);
    throw std::runtime_error("compiling " + name + " failed: " + out);
  }
  size_t size = 0;
  check(nv.ptx_size(program, &size), "nvrtcGetPTXSize");
  out.resize(size);
  check(nv.ptx(program, out.data()), "nvrtcGetPTX");
  nv.destroy(&program);
  return out;
}

// A compiled kernel: its name (`name` and the dtype) and its PTX.
using Kernel = std::pair<const std::string, std::string>;

// Kernel `name` of `source` for `dtype`, compiled on its first use in the
// process (~tens of ms) and kept. Errors name `op`.
const Kernel& Compiled(const char* op, const std::string& name, mx::Dtype dtype, const char* source,
                       std::vector<std::string> defines = {}) {
  const int elem = dtype == mx::float32 ? 0 : dtype == mx::float16 ? 1 : dtype == mx::bfloat16 ? 2 : -1;
  if (elem < 0)
    throw std::invalid_argument(std::string("[") + op + "] the GPU kernel takes float32, float16 or bfloat16, got " +
                                DtypeName(dtype));
  static std::mutex mutex;
  static std::map<std::string, std::string> kernels;  // never erased: references stay valid
  const std::string key = name + "_" + DtypeName(dtype);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = kernels.find(key);
  if (it == kernels.end()) {
    defines.push_back("ELEM=" + std::to_string(elem));
    try {
      it = kernels.emplace(key, Compile(key, source, defines)).first;
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("[") + op + "] " + e.what());
    }
  }
  return *it;
}

// A number cast to `dtype` (float32, float16 or bfloat16), as MLX casts a
// weak scalar, and back to float for the kernel.
float CastTo(mx::Dtype dtype, double value) {
  return dtype == mx::float16    ? static_cast<float>(static_cast<mx::float16_t>(value))
         : dtype == mx::bfloat16 ? static_cast<float>(static_cast<mx::bfloat16_t>(value))
                                 : static_cast<float>(value);
}

int ElementCount(const char* op, const char* what, int64_t count) {
  if (count > std::numeric_limits<int>::max())
    throw std::invalid_argument(std::string("[") + op + "] the GPU kernel takes at most 2^31 - 1 " + what + ", got " +
                                std::to_string(count));
  return static_cast<int>(count);
}

// An element-wise kernel over inputs of one shape and dtype: `outputs` arrays
// of that shape and dtype, one thread per element; the element count is its
// first scalar argument, then `scalars`.
std::vector<mx::array> Elementwise(const char* op, const Kernel& kernel, const std::vector<mx::array>& inputs,
                                   int outputs, std::vector<mx::fast::ScalarArg> scalars, const mx::Stream& s) {
  const mx::array& x = inputs[0];
  const int size = ElementCount(op, "elements", x.size());
  scalars.insert(scalars.begin(), size);
  return mx::fast::precompiled_cuda_kernel(kernel.first, kernel.second, inputs,
                                           std::vector<mx::Shape>(outputs, x.shape()),
                                           std::vector<mx::Dtype>(outputs, x.dtype()), scalars,
                                           {std::max(size, 1), 1, 1}, {256, 1, 1}, 0, std::nullopt, true, s);
}

}  // namespace

mx::array TiledMaxPoolCuda(const char* op, const std::vector<mx::array>& inputs, const std::vector<int>& kernel,
                           const mx::Shape& pooled, bool backward, const mx::Stream& s) {
  const mx::array& x = inputs[0];
  if (kernel.size() > 3)
    throw std::invalid_argument(std::string("[") + op + "] the GPU kernel pools over 1 to 3 axes, got " +
                                std::to_string(kernel.size()));
  const Kernel& compiled = Compiled(op, std::string("mlx_tape_tiled_max_pool") + (backward ? "_grad" : ""),
                                    x.dtype(), kPool, {std::string("BACKWARD=") + (backward ? "1" : "0")});
  // Sizes as the kernel takes them: n, three spatial sizes, c, three windows.
  std::vector<mx::fast::ScalarArg> sizes = {static_cast<int>(x.shape(0))};
  for (size_t i = 0; i < 3; ++i) sizes.push_back(i < kernel.size() ? static_cast<int>(x.shape(i + 1)) : 1);
  sizes.push_back(static_cast<int>(x.shape(-1)));
  for (size_t i = 0; i < 3; ++i) sizes.push_back(i < kernel.size() ? kernel[i] : 1);
  const int outputs = ElementCount(
      op, "windows", std::accumulate(pooled.begin(), pooled.end(), int64_t{1}, std::multiplies<>()));
  // Elements past the last whole window get no thread: the gradient starts from zeros then.
  bool whole = true;
  for (size_t i = 0; i < kernel.size(); ++i) whole &= pooled[i + 1] * kernel[i] == x.shape(i + 1);
  return mx::fast::precompiled_cuda_kernel(
      compiled.first, compiled.second, inputs, {backward ? x.shape() : pooled}, {x.dtype()}, sizes,
      {std::max(outputs, 1), 1, 1}, {256, 1, 1}, 0, backward && !whole ? std::optional<float>(0.0f) : std::nullopt,
      true, s)[0];
}

mx::array MaskedByCuda(const mx::array& dy, const mx::array& x, double value, bool greater, const mx::Stream& s) {
  return Elementwise("maskedBy", Compiled("maskedBy", "mlx_tape_masked_by", x.dtype(), kMaskedBy), {dy, x}, 1,
                     {CastTo(x.dtype(), value), greater}, s)[0];
}

mx::array AxpbyCuda(const mx::array& x, const mx::array& y, double alpha, double beta, const mx::Stream& s) {
  return Elementwise("axpby", Compiled("axpby", "mlx_tape_axpby", x.dtype(), kAxpby), {x, y}, 1,
                     {CastTo(x.dtype(), alpha), CastTo(x.dtype(), beta)}, s)[0];
}

std::vector<mx::array> AdamStepCuda(const std::vector<mx::array>& inputs, const std::vector<float>& k,
                                    const mx::Stream& s) {
  return Elementwise("adamStep", Compiled("adamStep", "mlx_tape_adam_step", mx::float32, kAdam), inputs, 3,
                     std::vector<mx::fast::ScalarArg>(k.begin(), k.end()), s);
}
#endif

}  // namespace mlx_tape
