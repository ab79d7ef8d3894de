// Indexing and sorting: slices, gathers, scatters, flips, strided views,
// sort/partition. MLX does not bounds-check gather/scatter indices; the TS
// layer checks them before calling these.
#include "convert.h"

namespace mlx_tape {

namespace {
// Stride 1 on every axis when `strides` is absent, as MLX's overloads do.
// MLX divides by each stride unchecked: a zero stride is SIGFPE, so refuse it.
mx::Shape StridesOrOnes(const char* op, const mx::Shape& start,
                        const std::optional<mx::Shape>& strides) {
  if (!strides) return mx::Shape(start.size(), 1);
  for (auto s : *strides)
    if (s == 0)
      throw std::invalid_argument(std::string("[") + op +
                                  "] strides must be nonzero, got " +
                                  ShapeString(*strides));
  return *strides;
}

// MLX reads whatever memory as_strided's view reaches: check that the view
// stays inside the input's elements.
void CheckStridedView(const mx::array& a, const mx::Shape& shape,
                      const mx::Strides& strides, uint64_t offset) {
  if (shape.size() != strides.size())
    throw std::invalid_argument(
        "[asStrided] shape " + ShapeString(shape) + " and strides have " +
        std::to_string(shape.size()) + " and " +
        std::to_string(strides.size()) + " entries; they must match");
  for (auto d : shape)
    if (d < 0)
      throw std::invalid_argument("[asStrided] shape " + ShapeString(shape) +
                                  " has a negative size");
  int64_t lo = static_cast<int64_t>(offset), hi = lo;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return;  // an empty view reads nothing
    int64_t reach = static_cast<int64_t>(shape[i] - 1) * strides[i];
    (reach < 0 ? lo : hi) += reach;
  }
  if (lo < 0 || hi >= static_cast<int64_t>(a.size()))
    throw std::out_of_range(
        "[asStrided] the view with shape " + ShapeString(shape) +
        " and offset " + std::to_string(offset) + " reaches elements " +
        std::to_string(lo) + ".." + std::to_string(hi) +
        " of an input with " + std::to_string(a.size()) + " elements");
}
}  // namespace

void InitIndexing(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "slice(a, start, stop, strides)",
      +[](const mx::array& a, mx::Shape start, mx::Shape stop,
          std::optional<mx::Shape> strides) {
        auto st = StridesOrOnes("slice", start, strides);
        return mx::slice(a, std::move(start), std::move(stop), std::move(st));
      });
  Def(env, exports, "sliceUpdate(src, update, start, stop, strides)",
      +[](const mx::array& src, const mx::array& update, mx::Shape start,
          mx::Shape stop, std::optional<mx::Shape> strides) {
        auto st = StridesOrOnes("sliceUpdate", start, strides);
        return mx::slice_update(src, update, std::move(start), std::move(stop),
                                std::move(st));
      });
  Def(env, exports, "scatter(a, indices, updates, axes)",
      +[](const mx::array& a, std::vector<mx::array> idx, const mx::array& u,
          std::vector<int> axes) { return mx::scatter(a, idx, u, axes); });
  Def(env, exports, "scatterAdd(a, indices, updates, axes)",
      +[](const mx::array& a, std::vector<mx::array> idx, const mx::array& u,
          std::vector<int> axes) { return mx::scatter_add(a, idx, u, axes); });
  Def(env, exports, "gather(a, indices, axes, sliceSizes)",
      +[](const mx::array& a, std::vector<mx::array> idx,
          std::vector<int> axes, mx::Shape sizes) {
        return mx::gather(a, idx, axes, sizes);
      });
  Def(env, exports, "take(a, indices, axis)",
      +[](const mx::array& a, const mx::array& idx, std::optional<int> axis) {
        return axis ? mx::take(a, idx, *axis) : mx::take(a, idx);
      });
  Def(env, exports, "takeAlongAxis(a, indices, axis)",
      +[](const mx::array& a, const mx::array& idx, int axis) {
        return mx::take_along_axis(a, idx, axis);
      });
  Def(env, exports, "putAlongAxis(a, indices, values, axis)",
      +[](const mx::array& a, const mx::array& idx, const mx::array& v,
          int axis) { return mx::put_along_axis(a, idx, v, axis); });
  Def(env, exports, "scatterAddAxis(a, indices, values, axis)",
      +[](const mx::array& a, const mx::array& idx, const mx::array& v,
          int axis) { return mx::scatter_add_axis(a, idx, v, axis); });
  Def(env, exports, "flip(a, axes)",
      +[](const mx::array& a, std::optional<std::vector<int>> axes) {
        return axes ? mx::flip(a, *axes) : mx::flip(a);
      });
  Def(env, exports, "asStrided(a, shape, strides, offset)",
      +[](const mx::array& a, mx::Shape shape, mx::Strides strides,
          uint64_t offset) {
        CheckStridedView(a, shape, strides, offset);
        // MLX's AsStrided fails at eval on a non-contiguous input (a flip,
        // a transpose): make the row-major copy the view is defined on.
        return mx::as_strided(mx::contiguous(a), std::move(shape),
                              std::move(strides), offset);
      });

  // Sorting. A null axis sorts the flattened array, as MLX's overloads do.
  Def(env, exports, "sort(a, axis)",
      +[](const mx::array& a, std::optional<int> axis) {
        return axis ? mx::sort(a, *axis) : mx::sort(a);
      });
  Def(env, exports, "argsort(a, axis)",
      +[](const mx::array& a, std::optional<int> axis) {
        return axis ? mx::argsort(a, *axis) : mx::argsort(a);
      });
  Def(env, exports, "partition(a, kth, axis)",
      +[](const mx::array& a, int kth, std::optional<int> axis) {
        return axis ? mx::partition(a, kth, *axis) : mx::partition(a, kth);
      });
  Def(env, exports, "argpartition(a, kth, axis)",
      +[](const mx::array& a, int kth, std::optional<int> axis) {
        return axis ? mx::argpartition(a, kth, *axis)
                    : mx::argpartition(a, kth);
      });
  Def(env, exports, "topk(a, k, axis)",
      +[](const mx::array& a, int k, std::optional<int> axis) {
        return axis ? mx::topk(a, k, *axis) : mx::topk(a, k);
      });
}

}  // namespace mlx_tape
