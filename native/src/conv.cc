// Convolutions (MLX layout: input [N, ..., C_in], weight [C_out, ..., C_in /
// groups]). MLX writes every one of them as conv_general and checks the
// shapes itself; its messages start with "[conv]".
#include "convert.h"

namespace mlx_tape {

void InitConv(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "conv1d(input, weight, stride, padding, dilation, groups)",
      +[](const mx::array& x, const mx::array& w, int stride, int padding,
          int dilation, int groups) {
        return mx::conv1d(x, w, stride, padding, dilation, groups);
      });
  Def(env, exports, "conv2d(input, weight, stride, padding, dilation, groups)",
      +[](const mx::array& x, const mx::array& w, std::pair<int, int> stride,
          std::pair<int, int> padding, std::pair<int, int> dilation,
          int groups) {
        return mx::conv2d(x, w, stride, padding, dilation, groups);
      });
  Def(env, exports, "conv3d(input, weight, stride, padding, dilation, groups)",
      +[](const mx::array& x, const mx::array& w,
          std::tuple<int, int, int> stride, std::tuple<int, int, int> padding,
          std::tuple<int, int, int> dilation, int groups) {
        return mx::conv3d(x, w, stride, padding, dilation, groups);
      });
  Def(env, exports,
      "convGeneral(input, weight, stride, paddingLo, paddingHi, "
      "kernelDilation, inputDilation, groups, flip)",
      +[](const mx::array& x, const mx::array& w, std::vector<int> stride,
          std::vector<int> lo, std::vector<int> hi, std::vector<int> kdil,
          std::vector<int> idil, int groups, bool flip) {
        return mx::conv_general(x, w, stride, lo, hi, kdil, idil, groups, flip);
      });
  Def(env, exports,
      "convTranspose1d(input, weight, stride, padding, dilation, "
      "outputPadding, groups)",
      +[](const mx::array& x, const mx::array& w, int stride, int padding,
          int dilation, int output_padding, int groups) {
        return mx::conv_transpose1d(x, w, stride, padding, dilation,
                                    output_padding, groups);
      });
  Def(env, exports,
      "convTranspose2d(input, weight, stride, padding, dilation, "
      "outputPadding, groups)",
      +[](const mx::array& x, const mx::array& w, std::pair<int, int> stride,
          std::pair<int, int> padding, std::pair<int, int> dilation,
          std::pair<int, int> output_padding, int groups) {
        return mx::conv_transpose2d(x, w, stride, padding, dilation,
                                    output_padding, groups);
      });
  Def(env, exports,
      "convTranspose3d(input, weight, stride, padding, dilation, "
      "outputPadding, groups)",
      +[](const mx::array& x, const mx::array& w,
          std::tuple<int, int, int> stride, std::tuple<int, int, int> padding,
          std::tuple<int, int, int> dilation,
          std::tuple<int, int, int> output_padding, int groups) {
        return mx::conv_transpose3d(x, w, stride, padding, dilation,
                                    output_padding, groups);
      });
}

}  // namespace mlx_tape
