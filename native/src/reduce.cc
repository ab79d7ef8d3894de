// Reductions over axes (null axes: all of them), and scans.
#include "convert.h"

namespace mlx_tape {

namespace {
// All axes of `a` when `axes` is absent, as MLX's axis-less overloads do.
std::vector<int> AxesOrAll(const mx::array& a, const std::optional<std::vector<int>>& axes) {
  if (axes) return *axes;
  std::vector<int> all(a.ndim());
  for (int i = 0; i < static_cast<int>(a.ndim()); ++i) all[i] = i;
  return all;
}
}  // namespace

void InitReduce(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "sum(a, axes, keepDims)",
      +[](const mx::array& a, std::optional<std::vector<int>> axes, bool keep) {
        return mx::sum(a, AxesOrAll(a, axes), keep);
      });
}

}  // namespace mlx_tape
