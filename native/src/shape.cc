// Shape ops: reshape, transpose, concatenate, pad, ... (no data math).
#include <algorithm>

#include "convert.h"

namespace mlx_tape {

namespace {

// split(a, indicesOrSections, axis): a number is a count of equal sections,
// a list the indices to split at, as in MLX-Python.
Napi::Value Split(const Napi::CallbackInfo& info) {
  const auto& a = Arg<mx::array>::Get(info[0], Where{"split", "a"});
  int axis = Arg<int>::Get(info[2], Where{"split", "axis"});
  Where what{"split", "indicesOrSections"};
  auto parts = info[1].IsNumber()
                   ? mx::split(a, Arg<int>::Get(info[1], what), axis)
                   : mx::split(a, Arg<mx::Shape>::Get(info[1], what), axis);
  return Ret<std::vector<mx::array>>::Make(info.Env(), std::move(parts));
}

}  // namespace

void InitShape(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "reshape(a, shape)", +[](const mx::array& a, mx::Shape shape) {
    return mx::reshape(a, std::move(shape));
  });
  Def(env, exports, "broadcastTo(a, shape)", +[](const mx::array& a, mx::Shape shape) {
    return mx::broadcast_to(a, shape);
  });
  Def(env, exports, "flatten(a, startAxis, endAxis)", +[](const mx::array& a, int start, int end) {
    // MLX clamps out-of-range axes silently; a 0-d array flattens like a 1-d one.
    int nd = std::max(static_cast<int>(a.ndim()), 1);
    for (int ax : {start, end})
      if (ax < -nd || ax >= nd)
        throw std::out_of_range("[flatten] Invalid axis " + std::to_string(ax) + " for array with " +
                                std::to_string(a.ndim()) + " dimensions.");
    return mx::flatten(a, start, end);
  });
  Def(env, exports, "transpose(a, axes)",
      +[](const mx::array& a, std::optional<std::vector<int>> axes) {
        return axes ? mx::transpose(a, *axes) : mx::transpose(a);
      });
  Def(env, exports, "swapaxes(a, axis1, axis2)", +[](const mx::array& a, int axis1, int axis2) {
    return mx::swapaxes(a, axis1, axis2);
  });
  Def(env, exports, "moveaxis(a, source, destination)",
      +[](const mx::array& a, int source, int destination) {
        return mx::moveaxis(a, source, destination);
      });
  Def(env, exports, "expandDims(a, axes)", +[](const mx::array& a, std::vector<int> axes) {
    return mx::expand_dims(a, axes);
  });
  Def(env, exports, "squeeze(a, axes)",
      +[](const mx::array& a, std::optional<std::vector<int>> axes) {
        return axes ? mx::squeeze(a, *axes) : mx::squeeze(a);
      });
  Def(env, exports, "concatenate(arrays, axis)", +[](std::vector<mx::array> arrays, int axis) {
    return mx::concatenate(std::move(arrays), axis);
  });
  Def(env, exports, "stack(arrays, axis)", +[](std::vector<mx::array> arrays, int axis) {
    return mx::stack(arrays, axis);
  });
  DefRaw<Split>(env, exports, "split");
  Def(env, exports, "repeat(a, repeats, axis)",
      +[](const mx::array& a, int repeats, std::optional<int> axis) {
        return axis ? mx::repeat(a, repeats, *axis) : mx::repeat(a, repeats);
      });
  Def(env, exports, "tile(a, reps)", +[](const mx::array& a, std::vector<int> reps) {
    // MLX would report a negative count as a [broadcast_to] error.
    for (int r : reps)
      if (r < 0) throw std::invalid_argument("[tile] Number of repeats cannot be negative, got " + std::to_string(r));
    return mx::tile(a, std::move(reps));
  });
  // pad(a, low, high, mode, constantValues): one (low, high) pair per axis;
  // MLX checks that there is one pair per axis.
  Def(env, exports, "pad(a, low, high, mode, constantValues)",
      +[](const mx::array& a, mx::Shape low, mx::Shape high, std::string mode, Operand value) {
        std::vector<std::pair<int, int>> widths;
        for (size_t i = 0; i < low.size() && i < high.size(); ++i) widths.emplace_back(low[i], high[i]);
        return mx::pad(a, widths, ScalarLike(value.value, a, value.where), mode);
      });
  Def(env, exports, "roll(a, shift, axes)",
      +[](const mx::array& a, mx::Shape shift, std::optional<std::vector<int>> axes) {
        return axes ? mx::roll(a, shift, *axes) : mx::roll(a, shift);
      });
}

}  // namespace mlx_tape
