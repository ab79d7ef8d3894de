// Max pooling over tiled windows (stride = kernel, no padding) and its
// gradient on a CUDA GPU: one kernel each, with the CPU loops' rules (NaN
// wins the forward; the gradient goes to the first element equal to the max,
// none when it is NaN). Composed, the gradient is five strided passes
// (select, a max over uint8 ranks, equal, select) that took 4x the time of
// the forward's max reduction (W2's two pools under Nsight Compute, H100).
//
// The kernels are compiled here with NVRTC, which MLX's CUDA build already
// loads, and run through MLX's precompiled_cuda_kernel. Through MLX's
// cuda_kernel, which compiles with MLX's device headers, the first maxPool2d
// of each process took 1.8-2.5 s on the H100 machine, every time; this source
// needs no header (the 16-bit floats are widened from their bits) and the
// first call took 81-94 ms there (bench/micro/gpu-pool.ts).
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
#else
namespace {

// One thread per output element i: the offset of its window's first
// element in x and each window axis' stride, then the window's elements in
// row-major order. Spatial axes past the input's are size 1, window 1.
constexpr const char* kSource = R"(
#if ELEM == 0
typedef float E;
__device__ float widen(E v) { return v; }
#elif ELEM == 1
typedef unsigned short E;
__device__ float widen(E v) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v)); return f; }
#else
typedef unsigned short E;
__device__ float widen(E v) { return __uint_as_float((unsigned int)v << 16); }
#endif

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

// PTX of one kernel of kSource, for NVRTC's default (oldest) architecture,
// which the driver compiles on for the GPU at hand.
std::string Compile(const std::string& name, int elem, bool backward) {
  const Nvrtc& nv = LoadNvrtc();
  Nvrtc::Program program;
  const auto check = [&](int status, const char* what) {
    if (status != 0) throw std::runtime_error(std::string(what) + ": " + nv.error(status));
  };
  check(nv.create(&program, kSource, (name + ".cu").c_str(), 0, nullptr, nullptr), "nvrtcCreateProgram");
  const std::string defines[] = {"-DKERNEL=" + name, "-DELEM=" + std::to_string(elem),
                                 std::string("-DBACKWARD=") + (backward ? "1" : "0")};
  const char* options[] = {defines[0].c_str(), defines[1].c_str(), defines[2].c_str()};
  const int compiled = nv.compile(program, 3, options);
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

}  // namespace

mx::array TiledMaxPoolCuda(const char* op, const std::vector<mx::array>& inputs, const std::vector<int>& kernel,
                           const mx::Shape& pooled, bool backward, const mx::Stream& s) {
  const mx::array& x = inputs[0];
  if (kernel.size() > 3)
    throw std::invalid_argument(std::string("[") + op + "] the GPU kernel pools over 1 to 3 axes, got " +
                                std::to_string(kernel.size()));
  const int elem = x.dtype() == mx::float32 ? 0 : x.dtype() == mx::float16 ? 1 : x.dtype() == mx::bfloat16 ? 2 : -1;
  if (elem < 0)
    throw std::invalid_argument(std::string("[") + op + "] the GPU kernel takes float32, float16 or bfloat16, got " +
                                DtypeName(x.dtype()));
  // Each (dtype, direction) compiles once per process, on first use (~tens of ms).
  static std::mutex mutex;
  static std::map<std::string, std::string> ptx;
  const std::string name = std::string("mlx_tape_tiled_max_pool") + (backward ? "_grad_" : "_") + DtypeName(x.dtype());
  std::string source;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = ptx.find(name);
    if (it == ptx.end()) {
      try {
        it = ptx.emplace(name, Compile(name, elem, backward)).first;
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("[") + op + "] " + e.what());
      }
    }
    source = it->second;
  }
  // Sizes as the kernel takes them: n, three spatial sizes, c, three windows.
  std::vector<mx::fast::ScalarArg> sizes = {static_cast<int>(x.shape(0))};
  for (size_t i = 0; i < 3; ++i) sizes.push_back(i < kernel.size() ? static_cast<int>(x.shape(i + 1)) : 1);
  sizes.push_back(static_cast<int>(x.shape(-1)));
  for (size_t i = 0; i < 3; ++i) sizes.push_back(i < kernel.size() ? kernel[i] : 1);
  const int64_t outputs = std::accumulate(pooled.begin(), pooled.end(), int64_t{1}, std::multiplies<>());
  if (outputs > std::numeric_limits<int>::max())
    throw std::invalid_argument(std::string("[") + op + "] the GPU kernel takes at most 2^31 - 1 windows, got " +
                                std::to_string(outputs));
  // Elements past the last whole window get no thread: the gradient starts from zeros then.
  bool whole = true;
  for (size_t i = 0; i < kernel.size(); ++i) whole &= pooled[i + 1] * kernel[i] == x.shape(i + 1);
  return mx::fast::precompiled_cuda_kernel(
      name, source, inputs, {backward ? x.shape() : pooled}, {x.dtype()}, sizes,
      {static_cast<int>(std::max<int64_t>(outputs, 1)), 1, 1}, {256, 1, 1}, 0,
      backward && !whole ? std::optional<float>(0.0f) : std::nullopt, true, s)[0];
}
#endif

}  // namespace mlx_tape
