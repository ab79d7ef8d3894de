// MLX primitives of our own, with CPU kernels: where a composition of MLX
// ops makes several full-size passes (or MLX's own op is slow) and one loop
// makes one. Callers use them on the CPU and compose MLX ops on the GPU
// (src/tensor/ops/pool.ts, src/autograd/grads/conv.ts and elementwise.ts,
// src/optim/fused.ts), but for max pooling, maskedBy, axpby and adamStep,
// which have CUDA kernels too (cuda_kernels.cc).
// bench/micro/ops.ts times the ops that use them.
//  - Max pooling over tiled windows (stride = kernel, no padding) and its
//    gradient: a strided max reduction and five passes when composed.
//  - im2col, the window rows of a convolution's input: a plain float32
//    convolution and its weight gradient are one matmul over them. A third
//    of the time of MLX's strided copy.
//  - col2im, the overlap-add of a convolution's window rows back onto its
//    input: with one matmul, the input gradient of a convolution without
//    dilation or groups, in a third to a half of the time of MLX's flipped
//    convolution (W2's second conv), a sixth for a single input channel.
//  - dy · [x > value] (or <), relu's backward: three passes composed.
//  - Matrix products with a narrow side (one input channel's im2col rows).
//  - alpha · x + beta · y, an optimizer's update: two or three passes composed.
//  - Adam's whole update: eleven passes composed.
// Over large buffers each kernel runs on two threads (InTwo, below).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "kernels.h"

#include "convert.h"
#include "job_thread.h"
#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"

#ifdef MLX_TAPE_OPENBLAS_LINKED
extern "C" void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                            int lda, const float* b, int ldb, float beta, float* c, int ldc);
#endif

namespace mlx_tape {

namespace {

// A second thread for the kernels below. MLX runs a stream's CPU kernels one
// at a time on its stream thread, single-threaded; these loops are memory
// bound, and on the development VM's two cores they ran 1.6-2x faster split
// over two threads (bench/micro/w2-parts.ts). The stream thread runs the
// first part of the range, the helper the second. Another stream's kernel
// that finds the helper busy runs alone. The second core must be free:
// src/tensor/native.ts shortens OpenBLAS's idle spinning for that, and the
// helper keeps off the stream thread's CPU, where evaluate.cc may hold that.
using Body = std::function<void(int64_t, int64_t)>;

// body over [0, n), on two threads when it touches at least 1 MiB: below
// that, waking the helper (some µs) costs about what it saves.
void InTwo(int64_t n, int64_t bytes, const Body& body) {
  static const bool two_cores = std::thread::hardware_concurrency() >= 2;
  if (!two_cores || n < 2 || bytes < (int64_t{1} << 20)) return body(0, n);
  static JobThread* helper = new JobThread;  // never destroyed: it outlives every caller
  std::unique_lock<std::mutex> turn(helper->turn(), std::try_to_lock);
  if (!turn.owns_lock()) return body(0, n);
  helper->AvoidCallersCpu();
  const int64_t mid = n / 2;
  const std::function<void()> upper = [&] { body(mid, n); };
  helper->Start(upper);
  std::exception_ptr error;
  try {
    body(0, mid);
  } catch (...) {
    error = std::current_exception();
  }
  helper->Finish();  // rethrows the helper's error
  if (error) std::rethrow_exception(error);
}

// Every primitive below starts so: its outputs allocated, its arrays
// registered with its stream's CPU encoder, which then runs its loop.
mx::cpu::CommandEncoder& EncoderFor(const mx::Stream& stream, const std::vector<mx::array>& in,
                                    std::vector<mx::array>& outs) {
  auto& encoder = mx::cpu::get_command_encoder(stream);
  for (const auto& a : in) encoder.set_input_array(a);
  for (auto& out : outs) {
    out.set_data(mx::allocator::malloc(out.nbytes()));
    encoder.set_output_array(out);
  }
  return encoder;
}

// The same for a primitive of one output (an array is a handle: the copy
// shares its data with `out`).
mx::cpu::CommandEncoder& EncoderFor(const mx::Stream& stream, const std::vector<mx::array>& in, mx::array& out) {
  std::vector<mx::array> outs{out};
  return EncoderFor(stream, in, outs);
}

// src, laid out by shape and strides (in elements, of any sign), into dst
// row-major.
template <typename T>
void CopyRowMajor(const T* src, T* dst, const mx::Shape& shape, const mx::Strides& strides) {
  const size_t outer = shape.size() - 1;
  const int64_t inner = shape[outer], step = strides[outer];
  int64_t rows = 1;
  for (size_t i = 0; i < outer; ++i) rows *= shape[i];
  std::vector<int64_t> at(outer, 0);  // the row's index on the outer axes
  for (int64_t r = 0; r < rows; ++r) {
    int64_t base = 0;
    for (size_t i = 0; i < outer; ++i) base += at[i] * strides[i];
    for (int64_t j = 0; j < inner; ++j) *dst++ = src[base + j * step];
    for (size_t i = outer; i-- > 0;) {
      if (++at[i] < shape[i]) break;
      at[i] = 0;
    }
  }
}

// x's elements row-major and dense, for the task a primitive dispatches next
// on `encoder`: x's own buffer when x lies so, which is known here (MLX has
// set its strides by now), else a copy dispatched first into a buffer the
// encoder keeps until the tasks have run. Our ops take their inputs as they
// come, where a mx::contiguous node per input cost the graph an op each (19
// of a W1 step's 74). A 0-d array is its one element.
const void* RowMajor(mx::cpu::CommandEncoder& encoder, const mx::array& x) {
  if (x.flags().row_contiguous || x.ndim() == 0 || x.size() == 0) return x.data<void>();
  mx::array copy(x.shape(), x.dtype(), nullptr, {});
  copy.set_data(mx::allocator::malloc(copy.nbytes()));
  const void* dense = copy.data<void>();
  encoder.dispatch([src = x.data<char>(), dst = copy.data<char>(), shape = x.shape(), strides = x.strides(),
                    item = x.itemsize()] {
    const auto as = [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      CopyRowMajor(reinterpret_cast<const T*>(src), reinterpret_cast<T*>(dst), shape, strides);
    };
    if (item == 1) as(static_cast<uint8_t*>(nullptr));
    else if (item == 2) as(static_cast<uint16_t*>(nullptr));
    else if (item == 4) as(static_cast<uint32_t*>(nullptr));
    else as(static_cast<uint64_t*>(nullptr));
  });
  encoder.add_temporary(std::move(copy));
  return dense;
}

// An elementwise kernel over two inputs of one shape and float dtype and the
// output: loop(a, b, out, n) on each thread's part, with pointers of the
// dtype's element type (the inputs read row-major).
template <typename Loop>
void DispatchFloatPairwise(const mx::Stream& stream, const char* op, const std::vector<mx::array>& in, mx::array& out,
                           Loop loop) {
  auto& encoder = EncoderFor(stream, in, out);
  encoder.dispatch([a = RowMajor(encoder, in[0]), b = RowMajor(encoder, in[1]), dst = out.data<void>(),
                    size = static_cast<int64_t>(out.size()), dtype = out.dtype(), op, loop] {
    ForFloatType(op, dtype, [&](auto* type) {
      using T = std::remove_pointer_t<decltype(type)>;
      InTwo(size, 3 * size * static_cast<int64_t>(sizeof(T)), [&](int64_t lo, int64_t hi) {
        loop(static_cast<const T*>(a) + lo, static_cast<const T*>(b) + lo, static_cast<T*>(dst) + lo, hi - lo);
      });
    });
  });
}

// Where the windows of x [N, ...spatial, C] lie: for each output position
// the flat spatial index of its window's first element, and the offset of
// each window element from that first one, in row-major window order.
struct Tiles {
  int64_t batch, channels, positions, outputs;  // positions: prod(spatial)
  std::vector<int64_t> base, offsets;
  bool whole;  // the windows cover every element (no remainder)
};

Tiles TilesOf(const mx::Shape& shape, const std::vector<int>& kernel) {
  const int d = static_cast<int>(kernel.size());
  Tiles t{shape[0], shape.back(), 1, 1, {0}, {0}, true};
  // Axes from the last spatial one outwards, so both lists stay row-major.
  int64_t stride = 1;
  for (int i = d - 1; i >= 0; --i) {
    const int64_t size = shape[i + 1], k = kernel[i], out = size / k;
    t.whole &= out * k == size;
    std::vector<int64_t> base, offsets;
    for (int64_t o = 0; o < out; ++o)
      for (auto b : t.base) base.push_back(o * k * stride + b);
    for (int64_t j = 0; j < k; ++j)
      for (auto f : t.offsets) offsets.push_back(j * stride + f);
    t.base = std::move(base), t.offsets = std::move(offsets);
    t.positions *= size, t.outputs *= out, stride *= size;
  }
  return t;
}

// out[n, p, c] = max over the window, for the batch items [n0, n1); NaN
// wins, as in MLX's max.
template <typename T>
void MaxForward(const T* x, T* out, const Tiles& t, int64_t n0, int64_t n1) {
  const int64_t C = t.channels;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t p = 0; p < t.outputs; ++p) {
      const T* first = x + (n * t.positions + t.base[p]) * C;
      T* o = out + (n * t.outputs + p) * C;
      std::memcpy(o, first, C * sizeof(T));
      for (size_t j = 1; j < t.offsets.size(); ++j) {
        const T* v = first + t.offsets[j] * C;
        for (int64_t c = 0; c < C; ++c) o[c] = (v[c] > o[c] || v[c] != v[c]) ? v[c] : o[c];
      }
    }
}

// An unsigned integer of T's size, to mask T's bits: GCC turns a
// data-dependent select or bool-to-float cast into a branch, which random
// data mispredicts half the time (5-10x slower than these masks).
template <typename T>
using BitsOf = std::conditional_t<sizeof(T) == 1, uint8_t, std::conditional_t<sizeof(T) == 2, uint16_t,
               std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;

// All ones when `pass`, else all zeros.
template <typename T>
BitsOf<T> MaskOf(bool pass) {
  return static_cast<BitsOf<T>>(-static_cast<BitsOf<T>>(pass));
}

// dx: each window's cotangent at the first of its elements equal to the
// window's max (none when the max is NaN); zero elsewhere. Batch items [n0, n1).
template <typename T>
void MaxBackward(const T* x, const T* out, const T* dy, T* dx, const Tiles& t, int64_t n0, int64_t n1) {
  using Bits = BitsOf<T>;
  const int64_t C = t.channels;
  if (!t.whole) std::memset(dx + n0 * t.positions * C, 0, (n1 - n0) * t.positions * C * sizeof(T));
  std::vector<Bits> open(C);  // all ones until the channel's winner is found
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t p = 0; p < t.outputs; ++p) {
      const int64_t at = (n * t.positions + t.base[p]) * C, row = (n * t.outputs + p) * C;
      const T *o = out + row, *g = dy + row;
      std::fill(open.begin(), open.end(), static_cast<Bits>(~Bits(0)));
      for (auto offset : t.offsets) {
        const T* __restrict v = x + at + offset * C;
        T* __restrict d = dx + at + offset * C;
        for (int64_t c = 0; c < C; ++c) {
          const Bits equal = MaskOf<T>(v[c] == o[c]);
          const Bits take = equal & open[c];
          open[c] &= static_cast<Bits>(~equal);
          Bits gradient;
          std::memcpy(&gradient, g + c, sizeof(T));
          gradient &= take;
          std::memcpy(d + c, &gradient, sizeof(T));
        }
      }
    }
}

// Calls f with a null pointer of a float dtype's element type; false for
// the other dtypes.
template <typename F>
bool ForFloat(mx::Dtype dtype, F&& f) {
  switch (dtype) {
    case mx::float16: return f(static_cast<mx::float16_t*>(nullptr)), true;
    case mx::bfloat16: return f(static_cast<mx::bfloat16_t*>(nullptr)), true;
    case mx::float32: return f(static_cast<float*>(nullptr)), true;
    case mx::float64: return f(static_cast<double*>(nullptr)), true;
    default: return false;
  }
}

// The same for every real dtype; complex has no order.
template <typename F>
void ForRealType(const char* op, mx::Dtype dtype, F&& f) {
  if (ForFloat(dtype, f)) return;
  switch (dtype) {
    case mx::bool_: return f(static_cast<bool*>(nullptr));
    case mx::uint8: return f(static_cast<uint8_t*>(nullptr));
    case mx::uint16: return f(static_cast<uint16_t*>(nullptr));
    case mx::uint32: return f(static_cast<uint32_t*>(nullptr));
    case mx::uint64: return f(static_cast<uint64_t*>(nullptr));
    case mx::int8: return f(static_cast<int8_t*>(nullptr));
    case mx::int16: return f(static_cast<int16_t*>(nullptr));
    case mx::int32: return f(static_cast<int32_t*>(nullptr));
    case mx::int64: return f(static_cast<int64_t*>(nullptr));
    default:
      throw std::invalid_argument(std::string("[") + op + "] no kernel for dtype " + DtypeName(dtype));
  }
}

// The float dtypes only, which gradients have.
template <typename F>
void ForFloatType(const char* op, mx::Dtype dtype, F&& f) {
  if (!ForFloat(dtype, f))
    throw std::invalid_argument(std::string("[") + op + "] needs a float dtype, got " + DtypeName(dtype));
}

// Inputs: x (forward), or x, out, dy (backward); read row-major.
class TiledMaxPool : public mx::UnaryPrimitive {
 public:
  TiledMaxPool(mx::Stream s, std::vector<int> kernel, bool backward)
      : UnaryPrimitive(s), kernel_(std::move(kernel)), backward_(backward) {}

  void eval_cpu(const std::vector<mx::array>& in, mx::array& out) override {
    auto& encoder = EncoderFor(stream(), in, out);
    // The inputs' buffers outlive the task (MLX's CPU eval holds them).
    const void* x = RowMajor(encoder, in[0]);
    const void* y = backward_ ? RowMajor(encoder, in[1]) : nullptr;
    const void* dy = backward_ ? RowMajor(encoder, in[2]) : nullptr;
    void* dst = out.data<void>();
    const int64_t bytes = static_cast<int64_t>(in[0].nbytes() + out.nbytes());
    encoder.dispatch([x, y, dy, dst, bytes, dtype = out.dtype(), backward = backward_,
                      tiles = TilesOf(in[0].shape(), kernel_)] {
      ForRealType("maxPoolTiled", dtype, [&](auto* type) {
        using T = std::remove_pointer_t<decltype(type)>;
        InTwo(tiles.batch, bytes, [&](int64_t n0, int64_t n1) {
          if (backward)
            MaxBackward(static_cast<const T*>(x), static_cast<const T*>(y), static_cast<const T*>(dy),
                        static_cast<T*>(dst), tiles, n0, n1);
          else
            MaxForward(static_cast<const T*>(x), static_cast<T*>(dst), tiles, n0, n1);
        });
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("[maxPoolTiled] has no GPU kernel");
  }
  const char* name() const override { return backward_ ? "TiledMaxPoolGrad" : "TiledMaxPool"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const TiledMaxPool&>(other);
    return kernel_ == o.kernel_ && backward_ == o.backward_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override {
    return {backward_ ? in[0].shape() : PooledShape(in[0].shape(), kernel_)};
  }

  static mx::Shape PooledShape(mx::Shape shape, const std::vector<int>& kernel) {
    for (size_t i = 0; i < kernel.size(); ++i) shape[i + 1] /= kernel[i];
    return shape;
  }

 private:
  std::vector<int> kernel_;
  bool backward_;
};

// The stream of an op with a CPU kernel only: the default one, which must be the CPU's.
mx::Stream CpuStream(const char* op) {
  auto s = mx::default_stream(mx::default_device());
  if (s.device != mx::Device::cpu)
    throw std::invalid_argument(std::string("[") + op + "] runs on the CPU only; the default device is the GPU");
  return s;
}

// The op of a DispatchFloatPairwise kernel: a and b (`names` in errors)
// checked to be of one shape and float dtype; on the CPU stream, under the
// primitive make(stream) returns; off the CPU, on a CUDA GPU, what
// cuda(stream) returns (cuda_kernels.cc).
template <typename Make, typename Cuda>
mx::array FloatPairwiseOp(const char* op, const char* names, const mx::array& a, const mx::array& b, Make make,
                          Cuda cuda) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype())
    throw std::invalid_argument(std::string("[") + op + "] " + names + " must have one shape and dtype, got " +
                                ShapeString(a.shape()) + " " + DtypeName(a.dtype()) + " and " + ShapeString(b.shape()) +
                                " " + DtypeName(b.dtype()));
  ForFloatType(op, a.dtype(), [](auto*) {});
  auto s = mx::default_stream(mx::default_device());
  if (s.device != mx::Device::cpu) return cuda(s);
  return mx::array(a.shape(), a.dtype(), make(s), {a, b});
}

void CheckTiles(const char* op, const mx::array& x, const std::vector<int>& kernel) {
  if (x.ndim() != kernel.size() + 2)
    throw std::invalid_argument(std::string("[") + op + "] input of shape " + ShapeString(x.shape()) +
                                " must have " + std::to_string(kernel.size() + 2) + " axes for a kernel of " +
                                std::to_string(kernel.size()));
  for (size_t i = 0; i < kernel.size(); ++i)
    if (kernel[i] < 1 || kernel[i] > x.shape(i + 1))
      throw std::invalid_argument(std::string("[") + op + "] kernel size " + std::to_string(kernel[i]) +
                                  " does not fit axis " + std::to_string(i + 1) + " of shape " +
                                  ShapeString(x.shape()));
  ForRealType(op, x.dtype(), [](auto*) {});
}

mx::array MaxPoolTiled(const mx::array& x, std::vector<int> kernel) {
  CheckTiles("maxPoolTiled", x, kernel);
  auto shape = TiledMaxPool::PooledShape(x.shape(), kernel);
  // Off the CPU: a CUDA GPU (cuda_kernels.cc).
  auto s = mx::default_stream(mx::default_device());
  if (s.device != mx::Device::cpu) return TiledMaxPoolCuda("maxPoolTiled", {x}, kernel, shape, false, s);
  return mx::array(shape, x.dtype(), std::make_shared<TiledMaxPool>(s, std::move(kernel), false), {x});
}

mx::array MaxPoolTiledGrad(const mx::array& x, const mx::array& out, const mx::array& dy,
                           std::vector<int> kernel) {
  CheckTiles("maxPoolTiledGrad", x, kernel);
  auto s = mx::default_stream(mx::default_device());
  auto pooled = TiledMaxPool::PooledShape(x.shape(), kernel);
  if (out.shape() != pooled || dy.shape() != pooled || out.dtype() != x.dtype() || dy.dtype() != x.dtype())
    throw std::invalid_argument("[maxPoolTiledGrad] out and dy must be " + ShapeString(pooled) + " " +
                                DtypeName(x.dtype()) + ", got " + ShapeString(out.shape()) + " " +
                                DtypeName(out.dtype()) + " and " + ShapeString(dy.shape()) + " " +
                                DtypeName(dy.dtype()));
  if (s.device != mx::Device::cpu) return TiledMaxPoolCuda("maxPoolTiledGrad", {x, out, dy}, kernel, pooled, true, s);
  return mx::array(x.shape(), x.dtype(), std::make_shared<TiledMaxPool>(s, std::move(kernel), true), {x, out, dy});
}

// The windows of a convolution without dilation or groups over x
// [N, ...spatial, C]: for each (output position, tap) pair, row-major in
// both, the flat spatial position of x the tap reads, or -1 in the padding.
// Rows of the im2col matrix [N * outputs, taps * C] are (n, output
// position), its column blocks of C the taps.
struct Windows {
  int64_t batch, positions, channels, outputs, taps;
  std::vector<int64_t> input;
};

Windows WindowsOf(const mx::Shape& x, const std::vector<int>& window, const std::vector<int>& stride,
                  const std::vector<int>& lo, const std::vector<int>& out) {
  const int d = static_cast<int>(window.size());
  Windows w{x[0], 1, x.back(), 1, 1, {}};
  for (int i = 0; i < d; ++i) w.outputs *= out[i], w.taps *= window[i], w.positions *= x[i + 1];
  w.input.resize(w.outputs * w.taps);
  for (int64_t o = 0; o < w.outputs; ++o)
    for (int64_t t = 0; t < w.taps; ++t) {
      int64_t flat = 0, ro = o, rt = t, scale = 1;
      for (int i = d - 1; i >= 0 && flat >= 0; --i) {
        const int64_t at = (ro % out[i]) * stride[i] + rt % window[i] - lo[i];
        ro /= out[i], rt /= window[i];
        flat = (at < 0 || at >= x[i + 1]) ? -1 : flat + at * scale;
        scale *= x[i + 1];
      }
      w.input[o * w.taps + t] = flat;
    }
  return w;
}

// cols[n*P + o, t*C : (t+1)*C] = x[n, o*stride + t - lo], or 0 in the
// padding, for the batch items [n0, n1). T: an unsigned integer of the
// element's size (a copy of bits).
template <typename T>
void Im2col(const T* x, T* cols, const Windows& w, int64_t n0, int64_t n1) {
  const int64_t C = w.channels;
  if (C == 1) {  // one element per tap: a loop per tap costs more than the copy
    for (int64_t n = n0; n < n1; ++n) {
      const T* xn = x + n * w.positions;
      T* __restrict rows = cols + n * w.outputs * w.taps;
      for (int64_t i = 0; i < w.outputs * w.taps; ++i) {
        const int64_t at = w.input[i];
        rows[i] = at < 0 ? T(0) : xn[at];
      }
    }
    return;
  }
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t o = 0; o < w.outputs; ++o) {
      T* row = cols + (n * w.outputs + o) * w.taps * C;
      for (int64_t t = 0; t < w.taps; ++t) {
        const int64_t at = w.input[o * w.taps + t];
        T* __restrict dst = row + t * C;
        if (at < 0) {
          std::fill(dst, dst + C, T(0));
        } else {
          const T* __restrict src = x + (n * w.positions + at) * C;
          for (int64_t c = 0; c < C; ++c) dst[c] = src[c];
        }
      }
    }
}

// The overlap-add, im2col's adjoint: dx[n, o*stride + t - lo] +=
// cols[n*P + o, t*C : (t+1)*C], taps in the padding dropped; batch items
// [n0, n1), whose parts of dx no other item touches.
template <typename T>
void Col2im(const T* cols, T* dx, const Windows& w, int64_t n0, int64_t n1) {
  const int64_t C = w.channels;
  std::memset(dx + n0 * w.positions * C, 0, (n1 - n0) * w.positions * C * sizeof(T));
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t o = 0; o < w.outputs; ++o) {
      const T* row = cols + (n * w.outputs + o) * w.taps * C;
      for (int64_t t = 0; t < w.taps; ++t) {
        const int64_t at = w.input[o * w.taps + t];
        if (at < 0) continue;
        T* __restrict d = dx + (n * w.positions + at) * C;
        const T* __restrict r = row + t * C;
        for (int64_t c = 0; c < C; ++c) d[c] += r[c];
      }
    }
}

// im2col (x → cols, any dtype) or col2im (cols → x, float32 or float64);
// the one input read row-major.
class WindowRows : public mx::UnaryPrimitive {
 public:
  WindowRows(mx::Stream s, std::vector<int> window, std::vector<int> stride, std::vector<int> lo,
             std::vector<int> out, bool gather)
      : UnaryPrimitive(s), window_(std::move(window)), stride_(std::move(stride)), lo_(std::move(lo)),
        out_(std::move(out)), gather_(gather) {}

  void eval_cpu(const std::vector<mx::array>& in, mx::array& out) override {
    auto& encoder = EncoderFor(stream(), in, out);
    const int64_t bytes = static_cast<int64_t>(in[0].nbytes() + out.nbytes());
    encoder.dispatch([src = RowMajor(encoder, in[0]), dst = out.data<void>(), bytes, dtype = out.dtype(), gather = gather_,
                      windows = WindowsOf(gather_ ? in[0].shape() : out.shape(), window_, stride_, lo_, out_)] {
      InTwo(windows.batch, bytes, [&](int64_t n0, int64_t n1) {
        if (!gather && dtype == mx::float32)
          Col2im(static_cast<const float*>(src), static_cast<float*>(dst), windows, n0, n1);
        else if (!gather)
          Col2im(static_cast<const double*>(src), static_cast<double*>(dst), windows, n0, n1);
        else
          ForRealType("im2col", dtype, [&](auto* type) {
            using Bits = BitsOf<std::remove_pointer_t<decltype(type)>>;
            Im2col(static_cast<const Bits*>(src), static_cast<Bits*>(dst), windows, n0, n1);
          });
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error(gather_ ? "[im2col] has no GPU kernel" : "[col2im] has no GPU kernel");
  }
  const char* name() const override { return gather_ ? "Im2col" : "Col2im"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const WindowRows&>(other);
    return window_ == o.window_ && stride_ == o.stride_ && lo_ == o.lo_ && out_ == o.out_ && gather_ == o.gather_;
  }

 private:
  std::vector<int> window_, stride_, lo_, out_;
  bool gather_;
};

// The output size per spatial axis of a convolution of an input of `shape`
// with this window, stride and padding; the error names `op`.
std::vector<int> OutputSize(const char* op, const mx::Shape& shape, const std::vector<int>& window,
                            const std::vector<int>& stride, const std::vector<int>& lo, const std::vector<int>& hi) {
  const size_t d = window.size();
  if (shape.size() != d + 2 || stride.size() != d || lo.size() != d || hi.size() != d)
    throw std::invalid_argument(std::string("[") + op + "] shape " + ShapeString(shape) + " needs " +
                                std::to_string(d + 2) + " axes, and stride and padding " + std::to_string(d) +
                                " values each, for a window of " + std::to_string(d));
  std::vector<int> out(d);
  for (size_t i = 0; i < d; ++i) {
    const int64_t span = int64_t{shape[i + 1]} + lo[i] + hi[i] - window[i];
    if (window[i] < 1 || stride[i] < 1 || lo[i] < 0 || hi[i] < 0 || span < 0)
      throw std::invalid_argument(std::string("[") + op + "] window " + std::to_string(window[i]) + ", stride " +
                                  std::to_string(stride[i]) + " and padding " + std::to_string(lo[i]) + "/" +
                                  std::to_string(hi[i]) + " do not fit axis " + std::to_string(i + 1) + " of shape " +
                                  ShapeString(shape));
    out[i] = static_cast<int>(span / stride[i] + 1);
  }
  return out;
}

// col2im(cols, shape, window, stride, lo, hi): the inverse layout of
// im2col for a convolution of an input of `shape`, summing where windows
// overlap.
mx::array Col2imOp(const mx::array& cols, mx::Shape shape, std::vector<int> window, std::vector<int> stride,
                   std::vector<int> lo, std::vector<int> hi) {
  auto out = OutputSize("col2im", shape, window, stride, lo, hi);
  if (cols.dtype() != mx::float32 && cols.dtype() != mx::float64)
    throw std::invalid_argument(std::string("[col2im] cols must be float32 or float64, got ") + DtypeName(cols.dtype()));
  int64_t rows = shape[0], width = shape.back();
  for (size_t i = 0; i < window.size(); ++i) rows *= out[i], width *= window[i];
  if (cols.ndim() != 2 || cols.shape(0) != rows || cols.shape(1) != width)
    throw std::invalid_argument("[col2im] cols must have shape [" + std::to_string(rows) + "," + std::to_string(width) +
                                "] for shape " + ShapeString(shape) + ", got " + ShapeString(cols.shape()));
  auto s = CpuStream("col2im");
  return mx::array(std::move(shape), cols.dtype(),
                   std::make_shared<WindowRows>(s, std::move(window), std::move(stride), std::move(lo), std::move(out), false),
                   {cols});
}

}  // namespace

mx::array Im2colCpu(const mx::array& x, std::vector<int> window, std::vector<int> stride, std::vector<int> lo,
                    std::vector<int> hi) {
  auto out = OutputSize("im2col", x.shape(), window, stride, lo, hi);
  ForRealType("im2col", x.dtype(), [](auto*) {});
  int64_t rows = x.shape(0), width = x.shape(-1);
  for (size_t i = 0; i < window.size(); ++i) rows *= out[i], width *= window[i];
  auto s = CpuStream("im2col");
  return mx::array({static_cast<int>(rows), static_cast<int>(width)}, x.dtype(),
                   std::make_shared<WindowRows>(s, std::move(window), std::move(stride), std::move(lo), std::move(out), true),
                   {x});
}

namespace {

// dy · [x > value] (or <): the mask product of maximum's and minimum's
// rules against a number (relu's backward) in one pass instead of three
// (compare, cast the bools, multiply). A product, not a select, so that it
// gives what the composition gives, NaN for 0 · inf included.
template <typename T>
void MaskedBy(const T* __restrict dy, const T* __restrict x, T* __restrict out, int64_t size, T value, bool greater) {
  BitsOf<T> one;
  const T unit = static_cast<T>(1);
  std::memcpy(&one, &unit, sizeof(T));
  for (int64_t i = 0; i < size; ++i) {
    const BitsOf<T> bits = MaskOf<T>(greater ? x[i] > value : x[i] < value) & one;
    T factor;  // 1 or 0
    std::memcpy(&factor, &bits, sizeof(T));
    out[i] = dy[i] * factor;
  }
}

// Inputs: dy and x, row-contiguous, of one shape and float dtype.
class MaskedByPrimitive : public mx::UnaryPrimitive {
 public:
  MaskedByPrimitive(mx::Stream s, double value, bool greater) : UnaryPrimitive(s), value_(value), greater_(greater) {}

  void eval_cpu(const std::vector<mx::array>& in, mx::array& out) override {
    DispatchFloatPairwise(stream(), "maskedBy", in, out,
                          [value = value_, greater = greater_](auto dy, auto x, auto dst, int64_t n) {
                            using T = std::remove_pointer_t<decltype(dst)>;
                            MaskedBy(dy, x, dst, n, static_cast<T>(value), greater);
                          });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("[maskedBy] has no GPU kernel");
  }
  const char* name() const override { return "MaskedBy"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const MaskedByPrimitive&>(other);
    return value_ == o.value_ && greater_ == o.greater_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override { return {in[0].shape()}; }

 private:
  double value_;
  bool greater_;
};

// maskedBy(dy, x, comparison, value): dy · [x comparison value], comparison
// "greater" or "less", value cast to x's dtype (a weak scalar, as in MLX).
mx::array MaskedByOp(const mx::array& dy, const mx::array& x, std::string comparison, double value) {
  if (comparison != "greater" && comparison != "less")
    throw std::invalid_argument("[maskedBy] comparison must be 'greater' or 'less', got '" + comparison + "'");
  const bool greater = comparison == "greater";
  return FloatPairwiseOp(
      "maskedBy", "dy and x", dy, x,
      [&](mx::Stream s) { return std::make_shared<MaskedByPrimitive>(s, value, greater); },
      [&](mx::Stream s) { return MaskedByCuda(dy, x, value, greater, s); });
}

// The optimizer kernels below round each op as the composed MLX ops round
// it, so that they give the composition's numbers to the bit: GCC (in its
// default GNU mode) would contract a * b + c across statements into one
// fused multiply-add; Clang contracts within one expression only, and the
// loops write one op per expression.
#if defined(__GNUC__) && !defined(__clang__)
#define MLX_TAPE_ROUND_EACH_OP __attribute__((optimize("fp-contract=off")))
#else
#define MLX_TAPE_ROUND_EACH_OP
#endif

// alpha · x + beta · y, in one pass: an optimizer's update (p - lr · g, a
// momentum's mu · v + g) as one kernel instead of two or three passes over
// the parameters (W1's SGD update: two passes of 2.7 MB each, single-threaded
// in MLX).
template <typename T>
MLX_TAPE_ROUND_EACH_OP void Axpby(const T* __restrict x, const T* __restrict y, T* __restrict out, int64_t size,
                                  T alpha, T beta) {
  for (int64_t i = 0; i < size; ++i) {
    const T ax = alpha * x[i], by = beta * y[i];
    out[i] = ax + by;
  }
}

// Inputs: x and y, row-contiguous, of one shape and float dtype.
class AxpbyPrimitive : public mx::UnaryPrimitive {
 public:
  AxpbyPrimitive(mx::Stream s, double alpha, double beta) : UnaryPrimitive(s), alpha_(alpha), beta_(beta) {}

  void eval_cpu(const std::vector<mx::array>& in, mx::array& out) override {
    DispatchFloatPairwise(stream(), "axpby", in, out,
                          [alpha = alpha_, beta = beta_](auto x, auto y, auto dst, int64_t n) {
                            using T = std::remove_pointer_t<decltype(dst)>;
                            Axpby(x, y, dst, n, static_cast<T>(alpha), static_cast<T>(beta));
                          });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("[axpby] has no GPU kernel");
  }
  const char* name() const override { return "Axpby"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const AxpbyPrimitive&>(other);
    return alpha_ == o.alpha_ && beta_ == o.beta_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override { return {in[0].shape()}; }

 private:
  double alpha_, beta_;
};

// axpby(x, y, alpha, beta): alpha · x + beta · y for x and y of one shape and
// float dtype; alpha and beta cast to it (weak scalars, as in MLX).
mx::array AxpbyOp(const mx::array& x, const mx::array& y, double alpha, double beta) {
  return FloatPairwiseOp(
      "axpby", "x and y", x, y, [&](mx::Stream s) { return std::make_shared<AxpbyPrimitive>(s, alpha, beta); },
      [&](mx::Stream s) { return AxpbyCuda(x, y, alpha, beta, s); });
}

// Adam's (and AdamW's) whole update in one pass over float32 parameters: m
// and v, the step, the parameter, eleven passes when composed (W1's step
// took twice as long with Adam as with SGD). Each op rounded as the composed
// ops round it, in their order.
struct AdamScalars {
  float b1, a1, b2, a2, c1, c2, eps, decay, neg_lr;  // a1 = 1 - b1, a2 = 1 - b2
};

MLX_TAPE_ROUND_EACH_OP void AdamLoop(const float* __restrict p, const float* __restrict g, const float* __restrict m,
                                     const float* __restrict v, float* __restrict p_out, float* __restrict m_out,
                                     float* __restrict v_out, int64_t size, AdamScalars k) {  // k by value: no output aliases it
  for (int64_t i = 0; i < size; ++i) {
    const float gi = g[i];
    const float bm = k.b1 * m[i], ag = k.a1 * gi, mi = bm + ag;
    const float sq = gi * gi, bv = k.b2 * v[i], asq = k.a2 * sq, vi = bv + asq;
    const float numerator = mi / k.c1, root = std::sqrt(vi / k.c2), denominator = root + k.eps;
    const float step = numerator / denominator, decayed = p[i] * k.decay, moved = k.neg_lr * step;
    p_out[i] = decayed + moved;
    m_out[i] = mi;
    v_out[i] = vi;
  }
}

// Inputs p, g, m, v: float32, row-contiguous, of one shape; outputs p', m', v'.
class AdamStep : public mx::Primitive {
 public:
  AdamStep(mx::Stream s, AdamScalars k) : Primitive(s), k_(k) {}

  void eval_cpu(const std::vector<mx::array>& in, std::vector<mx::array>& out) override {
    auto& encoder = EncoderFor(stream(), in, out);
    const int64_t size = static_cast<int64_t>(in[0].size());
    const auto read = [&](int i) { return static_cast<const float*>(RowMajor(encoder, in[i])); };
    encoder.dispatch([p = read(0), g = read(1), m = read(2), v = read(3), p_out = out[0].data<float>(), m_out = out[1].data<float>(),
                      v_out = out[2].data<float>(), size, k = k_] {
      InTwo(size, 7 * size * static_cast<int64_t>(sizeof(float)), [&](int64_t lo, int64_t hi) {
        AdamLoop(p + lo, g + lo, m + lo, v + lo, p_out + lo, m_out + lo, v_out + lo, hi - lo, k);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("[adamStep] has no GPU kernel");
  }
  const char* name() const override { return "AdamStep"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return std::memcmp(&k_, &static_cast<const AdamStep&>(other).k_, sizeof(AdamScalars)) == 0;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override {
    return {in[0].shape(), in[0].shape(), in[0].shape()};
  }

 private:
  AdamScalars k_;
};

// adamStep(p, g, m, v, b1, b2, c1, c2, eps, lr, decay): [p', m', v'] of
//   m' = b1·m + (1 − b1)·g,  v' = b2·v + (1 − b2)·g²,
//   p' = decay·p − lr · (m' / c1) / (√(v' / c2) + eps),
// for float32 p, g, m, v of one shape; each number cast to float32 as MLX
// casts a weak scalar (1 − b1 and 1 − b2 taken in double first, as JS does).
std::vector<mx::array> AdamStepOp(const mx::array& p, const mx::array& g, const mx::array& m, const mx::array& v,
                                  double b1, double b2, double c1, double c2, double eps, double lr, double decay) {
  for (const auto* a : {&g, &m, &v})
    if (a->shape() != p.shape() || a->dtype() != mx::float32 || p.dtype() != mx::float32)
      throw std::invalid_argument("[adamStep] p, g, m and v must be float32 of one shape, got " +
                                  ShapeString(p.shape()) + " " + DtypeName(p.dtype()) + " and " +
                                  ShapeString(a->shape()) + " " + DtypeName(a->dtype()));
  const AdamScalars k{static_cast<float>(b1), static_cast<float>(1.0 - b1), static_cast<float>(b2),
                      static_cast<float>(1.0 - b2), static_cast<float>(c1), static_cast<float>(c2),
                      static_cast<float>(eps), static_cast<float>(decay), static_cast<float>(-lr)};
  // Off the CPU: a CUDA GPU (cuda_kernels.cc).
  auto s = mx::default_stream(mx::default_device());
  if (s.device != mx::Device::cpu)
    return AdamStepCuda({p, g, m, v}, {k.b1, k.a1, k.b2, k.a2, k.c1, k.c2, k.eps, k.decay, k.neg_lr}, s);
  return mx::array::make_arrays({p.shape(), p.shape(), p.shape()}, {mx::float32, mx::float32, mx::float32},
                                std::make_shared<AdamStep>(s, k), {p, g, m, v});
}

#ifdef MLX_TAPE_OPENBLAS_LINKED
// a · b (+ bias in every row) for float32 matrices: the output filled with
// the bias rows or zeros on two threads, then added into by sgemm (beta 1).
// MLX's Matmul calls sgemm with beta 0, and OpenBLAS then zeroes the output
// in a slow pass of its own first (W2's input-gradient product [12544, 64] ·
// [64, 288]: 2.66-2.69 ms against 1.60-1.62 with beta 1, bench/gemm.c with
// GEMM_BETA=1); MLX's AddMM copies a broadcast bias into the output element
// by element. Each operand goes to sgemm as it lies in memory: row-major, or
// a transposed view as transposed; other layouts are copied first. Built
// where the addon links OpenBLAS, whose cblas_sgemm it calls.
class BlasMatmul : public mx::UnaryPrimitive {
 public:
  explicit BlasMatmul(mx::Stream s) : UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<mx::array>& in, mx::array& out) override {
    auto& encoder = EncoderFor(stream(), in, out);
    const int64_t m = in[0].shape(0), k = in[0].shape(1), n = in[1].shape(1);
    const auto* bias = in.size() > 2 ? static_cast<const float*>(RowMajor(encoder, in[2])) : nullptr;
    // Shapes, strides and pointers are set now; the contents when the task runs.
    encoder.dispatch([a = Layout(in[0]), b = Layout(in[1]), bias, c = out.data<float>(), m, k, n] {
      const Operand oa(a), ob(b);
      const int64_t row = n * static_cast<int64_t>(sizeof(float));
      InTwo(m, m * row, [&](int64_t lo, int64_t hi) {
        if (!bias) return void(std::memset(c + lo * n, 0, (hi - lo) * row));
        for (int64_t i = lo; i < hi; ++i) std::memcpy(c + i * n, bias, row);
      });
      if (k > 0)
        cblas_sgemm(101 /* row-major */, oa.trans, ob.trans, static_cast<int>(m), static_cast<int>(n),
                    static_cast<int>(k), 1.0f, oa.data, oa.ld, ob.data, ob.ld, 1.0f, c, static_cast<int>(n));
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("[matmulBlas] has no GPU kernel");
  }
  // MLX's vjp as an oracle in the tests (mlxVjp) traces the native ops, this one included.
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    const auto& dy = cotangents[0];
    std::vector<mx::array> grads;
    for (int i : argnums) {
      if (i == 0) grads.push_back(mx::matmul(dy, mx::transpose(primals[1], stream()), stream()));
      else if (i == 1) grads.push_back(mx::matmul(mx::transpose(primals[0], stream()), dy, stream()));
      else grads.push_back(mx::sum(dy, 0, false, stream()));
    }
    return grads;
  }
  const char* name() const override { return "BlasMatmul"; }
  bool is_equivalent(const mx::Primitive&) const override { return true; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override {
    return {{in[0].shape(0), in[1].shape(1)}};
  }

 private:
  struct Layout {
    explicit Layout(const mx::array& x)
        : data(x.data<float>()), rows(x.shape(0)), cols(x.shape(1)), s0(x.strides(0)), s1(x.strides(1)) {}
    const float* data;
    int64_t rows, cols, s0, s1;
  };
  // A matrix as sgemm takes it: row-major with leading dimension ld, or its
  // transpose stored row-major (a transposed view); any other layout (a
  // broadcast, a strided slice, rows further apart than an int counts)
  // copied row-major first.
  struct Operand {
    explicit Operand(const Layout& x) {
      constexpr int64_t kMaxLd = 0x7fffffff;
      if ((x.s1 == 1 || x.cols == 1) && (x.rows == 1 || (x.s0 >= x.cols && x.s0 <= kMaxLd))) {
        set(x.data, 111 /* no transpose */, x.rows == 1 ? x.cols : x.s0);
      } else if ((x.s0 == 1 || x.rows == 1) && (x.cols == 1 || (x.s1 >= x.rows && x.s1 <= kMaxLd))) {
        set(x.data, 112 /* transpose */, x.cols == 1 ? x.rows : x.s1);
      } else {
        copy.resize(x.rows * x.cols);
        CopyRowMajor(x.data, copy.data(), {static_cast<int>(x.rows), static_cast<int>(x.cols)}, {x.s0, x.s1});
        set(copy.data(), 111, x.cols);
      }
    }
    void set(const float* p, int t, int64_t leading) {
      data = p, trans = t, ld = static_cast<int>(std::max<int64_t>(leading, 1));
    }
    const float* data;
    int trans, ld;
    std::vector<float> copy;
  };
};

}  // namespace

// matmulBlas(a, b, bias): a [m, k] · b [k, n] (+ bias [n]), float32 (kernels.h);
// the caller checks the operands (linalg.cc's ByBlas).
mx::array MatmulBlas(const mx::array& a, const mx::array& b, const std::optional<mx::array>& bias) {
  auto s = CpuStream("matmulBlas");
  std::vector<mx::array> inputs{a, b};
  if (bias) inputs.push_back(*bias);
  return mx::array({a.shape(0), b.shape(1)}, mx::float32, std::make_shared<BlasMatmul>(s), std::move(inputs));
}

namespace {
#else
}  // namespace

mx::array MatmulBlas(const mx::array&, const mx::array&, const std::optional<mx::array>&) {
  throw std::runtime_error("[matmulBlas] needs an addon linked with OpenBLAS");
}

namespace {
#endif

// Matrix products with a narrow side, float32: a convolution with one input
// channel has 9-wide im2col rows (3x3), and OpenBLAS ran W2's first conv
// [50176,9]·[9,32] at 26 GFLOP/s and its weight gradient at 30
// (bench/micro/w2-parts.ts), packing panels and zeroing the output first.
// A loop that keeps the narrow side in registers writes each output once.
// Compiled for AVX-512 and AVX2 as well where GCC and glibc can pick at run
// time (an ifunc).
#if defined(__x86_64__) && defined(__GNUC__) && defined(__GLIBC__) && !defined(__clang__)
#define MLX_TAPE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MLX_TAPE_CLONES
#endif

// The narrow side's limits: k (a's columns) and n (the output's columns).
constexpr int64_t kNarrowK = 16, kNarrowN = 256;

// c[i, :] = bias + sum_k a[i, k] · b[k, :] for rows [i0, i1); a [m, k],
// b [k, n], bias [n] or null (none).
MLX_TAPE_CLONES
void NarrowAB(const float* a, const float* b, const float* bias, float* c, int64_t k, int64_t n, int64_t i0,
              int64_t i1) {
  float acc[kNarrowN];
  for (int64_t i = i0; i < i1; ++i) {
    const float* ai = a + i * k;
    if (bias)
      for (int64_t j = 0; j < n; ++j) acc[j] = bias[j] + ai[0] * b[j];
    else
      for (int64_t j = 0; j < n; ++j) acc[j] = ai[0] * b[j];
    for (int64_t t = 1; t < k; ++t) {
      const float at = ai[t];
      const float* bt = b + t * n;
      for (int64_t j = 0; j < n; ++j) acc[j] += at * bt[j];
    }
    std::memcpy(c + i * n, acc, n * sizeof(float));
  }
}

// sum[t, :] += sum_i a[i, t] · b[i, :] over rows [i0, i1); a [m, k], b [m, n].
// In blocks of rows, each summed apart first: the error of a float sum
// grows with its length, and a column of W2's first conv has 50176 terms.
MLX_TAPE_CLONES
void NarrowATB(const float* a, const float* b, float* sum, int64_t k, int64_t n, int64_t i0, int64_t i1) {
  constexpr int64_t kBlock = 256;
  float block[kNarrowK * kNarrowN];
  for (int64_t start = i0; start < i1; start += kBlock) {
    std::fill(block, block + k * n, 0.0f);
    for (int64_t i = start; i < std::min(i1, start + kBlock); ++i) {
      const float *ai = a + i * k, *__restrict bi = b + i * n;
      for (int64_t t = 0; t < k; ++t) {
        const float at = ai[t];
        float* __restrict row = block + t * n;
        for (int64_t j = 0; j < n; ++j) row[j] += at * bi[j];
      }
    }
    for (int64_t x = 0; x < k * n; ++x) sum[x] += block[x];
  }
}

// Inputs: a and b, float32, read row-major: [m, k] · [k, n] (plus a bias
// [n], a third input, added to each row), or with transpose_a, [m, k]ᵀ · [m, n].
class NarrowMatmul : public mx::UnaryPrimitive {
 public:
  NarrowMatmul(mx::Stream s, bool transpose_a) : UnaryPrimitive(s), transpose_a_(transpose_a) {}

  void eval_cpu(const std::vector<mx::array>& in, mx::array& out) override {
    auto& encoder = EncoderFor(stream(), in, out);
    const int64_t m = in[0].shape(0), k = in[0].shape(1), n = in[1].shape(1);
    const int64_t bytes = static_cast<int64_t>(in[0].nbytes() + in[1].nbytes() + out.nbytes());
    const auto read = [&](size_t i) { return i < in.size() ? static_cast<const float*>(RowMajor(encoder, in[i])) : nullptr; };
    encoder.dispatch([a = read(0), b = read(1), bias = read(2), c = out.data<float>(), m, k, n, bytes,
                      transpose_a = transpose_a_] {
      if (!transpose_a) {
        InTwo(m, bytes, [&](int64_t i0, int64_t i1) { NarrowAB(a, b, bias, c, k, n, i0, i1); });
        return;
      }
      // Each thread sums its half of the rows apart; the halves add up after.
      std::vector<float> halves(2 * k * n, 0.0f);
      InTwo(m, bytes, [&](int64_t i0, int64_t i1) {
        NarrowATB(a, b, halves.data() + (i0 == 0 ? 0 : k * n), k, n, i0, i1);
      });
      for (int64_t x = 0; x < k * n; ++x) c[x] = halves[x] + halves[k * n + x];
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("[matmulNarrow] has no GPU kernel");
  }
  const char* name() const override { return transpose_a_ ? "NarrowMatmulTA" : "NarrowMatmul"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return transpose_a_ == static_cast<const NarrowMatmul&>(other).transpose_a_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override {
    return {{transpose_a_ ? in[0].shape(1) : in[0].shape(0), in[1].shape(1)}};
  }

 private:
  bool transpose_a_;
};

// matmulNarrow(a, b, transposeA, bias): a · b (+ bias, a float32 [n]), or
// aᵀ · b, for float32 matrices whose inner (a · b) or both output (aᵀ · b)
// sides are narrow.
mx::array MatmulNarrowOp(const mx::array& a, const mx::array& b, bool transpose_a, std::optional<mx::array> bias) {
  const char* form = transpose_a ? "aᵀ · b" : "a · b";
  if (a.ndim() != 2 || b.ndim() != 2 || a.dtype() != mx::float32 || b.dtype() != mx::float32)
    throw std::invalid_argument(std::string("[matmulNarrow] a and b must be float32 matrices, got ") +
                                ShapeString(a.shape()) + " " + DtypeName(a.dtype()) + " and " +
                                ShapeString(b.shape()) + " " + DtypeName(b.dtype()));
  const int64_t inner = transpose_a ? a.shape(0) : a.shape(1), width = a.shape(1), n = b.shape(1);
  if (b.shape(0) != inner)
    throw std::invalid_argument(std::string("[matmulNarrow] ") + form + " needs b with " + std::to_string(inner) +
                                " rows, got " + ShapeString(a.shape()) + " and " + ShapeString(b.shape()));
  if (width < 1 || width > kNarrowK || n < 1 || n > kNarrowN)
    throw std::invalid_argument("[matmulNarrow] a must have 1 to " + std::to_string(kNarrowK) +
                                " columns and b 1 to " + std::to_string(kNarrowN) + ", got " +
                                ShapeString(a.shape()) + " and " + ShapeString(b.shape()));
  if (bias && (transpose_a || bias->ndim() != 1 || bias->shape(0) != n || bias->dtype() != mx::float32))
    throw std::invalid_argument("[matmulNarrow] bias must be a float32 [" + std::to_string(n) + "] of a · b" +
                                (transpose_a ? ", and aᵀ · b takes none" : "") + ", got " +
                                ShapeString(bias->shape()) + " " + DtypeName(bias->dtype()));
  auto s = CpuStream("matmulNarrow");
  mx::Shape shape{static_cast<int>(transpose_a ? width : a.shape(0)), static_cast<int>(n)};
  std::vector<mx::array> inputs{a, b};
  if (bias) inputs.push_back(*bias);
  return mx::array(std::move(shape), mx::float32, std::make_shared<NarrowMatmul>(s, transpose_a), std::move(inputs));
}

}  // namespace

void InitKernels(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "matmulNarrow(a, b, transposeA, bias)", MatmulNarrowOp);
  Def(env, exports, "maxPoolTiled(input, kernel)", MaxPoolTiled);
  Def(env, exports, "maxPoolTiledGrad(input, out, dy, kernel)", MaxPoolTiledGrad);
  Def(env, exports, "col2im(cols, shape, window, stride, paddingLo, paddingHi)", Col2imOp);
  Def(env, exports, "maskedBy(dy, x, comparison, value)", MaskedByOp);
  Def(env, exports, "axpby(x, y, alpha, beta)", AxpbyOp);
  Def(env, exports, "adamStep(p, g, m, v, b1, b2, c1, c2, eps, lr, decay)", AdamStepOp);
}

}  // namespace mlx_tape
