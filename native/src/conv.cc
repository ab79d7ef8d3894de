// Convolutions (MLX layout: input [N, ..., C_in], weight [C_out, ..., C_in /
// groups]). MLX writes every one of them as conv_general and checks the
// shapes itself; its messages start with "[conv]".
#include <atomic>
#include <numeric>

#include "convert.h"
#include "kernels.h"

namespace mlx_tape {

namespace {

// The im2col matrix of a convolution without dilation or groups, rows
// [N * prod(out), prod(window) * C]. On the CPU our kernel (kernels.cc), 2-3x
// faster than MLX's strided copy; on the GPU the padded input seen through
// as_strided as [N, ...out, ...window, C], copied. One native call, so that
// the big intermediates get no JS handles.
mx::array Im2col(const mx::array& x, std::vector<int> window,
                 std::vector<int> stride, std::vector<int> lo,
                 std::vector<int> hi) {
  if (mx::default_device() == mx::Device::cpu)
    return Im2colCpu(x, std::move(window), std::move(stride), std::move(lo), std::move(hi));
  const int n = x.ndim() - 2;
  std::vector<int> axes(n);
  std::iota(axes.begin(), axes.end(), 1);
  auto xp = mx::pad(x, axes, mx::Shape(lo.begin(), lo.end()),
                    mx::Shape(hi.begin(), hi.end()));
  mx::Strides step(n + 2, 1);  // row-major strides of xp
  for (int i = n; i >= 0; --i) step[i] = step[i + 1] * xp.shape(i + 1);
  mx::Shape shape = {x.shape(0)};
  mx::Strides strides = {step[0]};
  int row = x.shape(-1);
  for (int i = 0; i < n; ++i) {
    shape.push_back((xp.shape(i + 1) - window[i]) / stride[i] + 1);
    strides.push_back(step[i + 1] * stride[i]);
  }
  for (int i = 0; i < n; ++i) {
    shape.push_back(window[i]), strides.push_back(step[i + 1]);
    row *= window[i];
  }
  shape.push_back(x.shape(-1)), strides.push_back(1);
  return mx::reshape(mx::as_strided(xp, shape, strides, 0), {-1, row});
}

// MLX 0.32.4's CUDA allocator keeps arrays of up to 8 bytes in a pool of
// 8-byte blocks, and cuDNN refuses the half of those pointers that are not
// 16-byte aligned (CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER at eval: a
// [1, 2, 1, 1] float32 input found it). So on the GPU a convolution whose
// input, kernel or output is that small runs on zero-padded operands, 16 more
// samples and 16 more filters per group, whose outputs are cut off after:
// samples and filters do not mix, so the rest is the same convolution.
// Tests pad on the CPU too (convPadsTiny), to check the cutting off.
std::atomic<bool> pad_on_cpu{false};

template <typename Conv>
mx::array Convolve(const mx::array& x, const mx::array& w, int groups, Conv conv) {
  mx::array out = conv(x, w);  // MLX's own checks, and the output's shape
  auto tiny = [](const mx::array& a) { return a.size() > 0 && a.nbytes() <= 8; };
  if ((mx::default_device() == mx::Device::cpu && !pad_on_cpu) || groups < 1 || x.ndim() < 3 ||
      w.ndim() != x.ndim() || w.shape(0) % groups != 0 || !(tiny(x) || tiny(w) || tiny(out)))
    return out;
  constexpr int kMore = 16;
  const int n = x.shape(0), per_group = w.shape(0) / groups;
  // Filters [C_out, ...] as [G, C_out / G, ...], 16 more zero ones per group.
  mx::Shape grouped = w.shape(), wide = w.shape();
  grouped[0] = per_group;
  grouped.insert(grouped.begin(), groups);
  wide[0] = groups * (per_group + kMore);
  mx::array padded = conv(
      mx::pad(x, {0}, mx::Shape{0}, mx::Shape{kMore}),
      mx::reshape(mx::pad(mx::reshape(w, grouped), {1}, mx::Shape{0}, mx::Shape{kMore}), wide));
  // [N + 16, ...out, G * (C_out / G + 16)] -> [N, ...out, G, C_out / G] -> out's shape
  mx::Shape split = padded.shape();
  split.back() = per_group + kMore;
  split.insert(split.end() - 1, groups);
  mx::Shape start(split.size(), 0), stop = split;
  stop[0] = n;
  stop.back() = per_group;
  return mx::reshape(mx::slice(mx::reshape(padded, split), start, stop), out.shape());
}

}  // namespace

void InitConv(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "convPadsTiny(on)", +[](bool on) { return pad_on_cpu.exchange(on); });
  Def(env, exports, "im2col(input, window, stride, paddingLo, paddingHi)",
      Im2col);
  Def(env, exports, "conv1d(input, weight, stride, padding, dilation, groups)",
      +[](const mx::array& x, const mx::array& w, int stride, int padding,
          int dilation, int groups) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv1d(a, b, stride, padding, dilation, groups);
        });
      });
  Def(env, exports, "conv2d(input, weight, stride, padding, dilation, groups)",
      +[](const mx::array& x, const mx::array& w, std::pair<int, int> stride,
          std::pair<int, int> padding, std::pair<int, int> dilation,
          int groups) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv2d(a, b, stride, padding, dilation, groups);
        });
      });
  Def(env, exports, "conv3d(input, weight, stride, padding, dilation, groups)",
      +[](const mx::array& x, const mx::array& w,
          std::tuple<int, int, int> stride, std::tuple<int, int, int> padding,
          std::tuple<int, int, int> dilation, int groups) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv3d(a, b, stride, padding, dilation, groups);
        });
      });
  Def(env, exports,
      "convGeneral(input, weight, stride, paddingLo, paddingHi, "
      "kernelDilation, inputDilation, groups, flip)",
      +[](const mx::array& x, const mx::array& w, std::vector<int> stride,
          std::vector<int> lo, std::vector<int> hi, std::vector<int> kdil,
          std::vector<int> idil, int groups, bool flip) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv_general(a, b, stride, lo, hi, kdil, idil, groups, flip);
        });
      });
  Def(env, exports,
      "convTranspose1d(input, weight, stride, padding, dilation, "
      "outputPadding, groups)",
      +[](const mx::array& x, const mx::array& w, int stride, int padding,
          int dilation, int output_padding, int groups) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv_transpose1d(a, b, stride, padding, dilation, output_padding, groups);
        });
      });
  Def(env, exports,
      "convTranspose2d(input, weight, stride, padding, dilation, "
      "outputPadding, groups)",
      +[](const mx::array& x, const mx::array& w, std::pair<int, int> stride,
          std::pair<int, int> padding, std::pair<int, int> dilation,
          std::pair<int, int> output_padding, int groups) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv_transpose2d(a, b, stride, padding, dilation, output_padding, groups);
        });
      });
  Def(env, exports,
      "convTranspose3d(input, weight, stride, padding, dilation, "
      "outputPadding, groups)",
      +[](const mx::array& x, const mx::array& w,
          std::tuple<int, int, int> stride, std::tuple<int, int, int> padding,
          std::tuple<int, int, int> dilation,
          std::tuple<int, int, int> output_padding, int groups) {
        return Convolve(x, w, groups, [&](const mx::array& a, const mx::array& b) {
          return mx::conv_transpose3d(a, b, stride, padding, dilation, output_padding, groups);
        });
      });
}

}  // namespace mlx_tape
