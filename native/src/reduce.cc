// Reductions over axes (null axes: all of them), arg-reductions, scans along
// one axis, and softmax.
#include "convert.h"
#include "mlx/fast.h"
#include "mlx/primitives.h"

namespace mlx_tape {

namespace {
using Axes = std::optional<std::vector<int>>;

// All axes of `a` when `axes` is absent, as MLX's axis-less overloads do.
std::vector<int> AxesOrAll(const mx::array& a, const Axes& axes) {
  if (axes) return *axes;
  std::vector<int> all(a.ndim());
  for (int i = 0; i < static_cast<int>(a.ndim()); ++i) all[i] = i;
  return all;
}

// MLX's reductions reject a bad or repeated axis with a message that does not
// name the op ("Invalid axis 2 for array with 2 dimensions."); say which op,
// as MLX's own "[op] ..." messages do. (MLX's scans name the op themselves.)
void CheckAxes(const char* op, const mx::array& a, const std::vector<int>& axes) {
  int nd = static_cast<int>(a.ndim());
  std::vector<bool> seen(nd);
  for (int ax : axes) {
    if (ax < -nd || ax >= nd)
      throw std::out_of_range(std::string("[") + op + "] axis " + std::to_string(ax) +
                              " is out of range for an array of " + std::to_string(nd) +
                              " dimensions (shape " + ShapeString(a.shape()) + ")");
    if (seen[ax < 0 ? ax + nd : ax])
      throw std::invalid_argument(std::string("[") + op + "] axis " + std::to_string(ax) +
                                  " is repeated in the axes");
    seen[ax < 0 ? ax + nd : ax] = true;
  }
}

using ReduceFn = mx::array (*)(const mx::array&, const std::vector<int>&, bool,
                               mx::StreamOrDevice);
mx::array Reduce(const char* op, ReduceFn fn, const mx::array& a, const Axes& axes, bool keep) {
  auto list = AxesOrAll(a, axes);
  CheckAxes(op, a, list);
  return fn(a, list, keep, {});
}

using ScanFn = mx::array (*)(const mx::array&, int, bool, bool, mx::StreamOrDevice);

mx::array ArgReduce(const char* op, mx::array (*fn)(const mx::array&, int, bool, mx::StreamOrDevice),
                    mx::array (*flat)(const mx::array&, bool, mx::StreamOrDevice),
                    const mx::array& a, std::optional<int> axis, bool keep) {
  if (!axis) return flat(a, keep, {});
  CheckAxes(op, a, {*axis});
  return fn(a, *axis, keep, {});
}
}  // namespace

#define MLX_TAPE_REDUCE(NAME, FN)                                                 \
  Def(env, exports, #NAME "(a, axes, keepDims)",                                  \
      +[](const mx::array& a, Axes axes, bool keep) {                             \
        return Reduce(#NAME, static_cast<ReduceFn>(&mx::FN), a, axes, keep);     \
      })
// MLX's fused cross entropy of logits [..., C] against integer class indices
// [...], in the logits' dtype: one GPU kernel where the composition takes
// several (MLX-Python's nn.losses.cross_entropy uses it on the GPU; on the
// CPU MLX builds the composition). Its gradient is MLX's vjp of the same
// function: one kernel too (CrossEntropyVJP).
std::vector<mx::array> CrossEntropy(const mx::array& logits, const mx::array& targets) {
  return {mx::astype(mx::fast::cross_entropy(logits, targets), logits.dtype())};
}

void CheckCrossEntropy(const char* op, const mx::array& logits, const mx::array& targets) {
  auto classes = logits.shape();
  if (!classes.empty()) classes.pop_back();
  if (!mx::issubdtype(logits.dtype(), mx::floating) || !mx::issubdtype(targets.dtype(), mx::integer) ||
      targets.shape() != classes)
    throw std::invalid_argument(std::string("[") + op + "] wants float logits [..., classes] and integer targets [...], got " +
                                DtypeName(logits.dtype()) + " " + ShapeString(logits.shape()) + " and " +
                                DtypeName(targets.dtype()) + " " + ShapeString(targets.shape()));
}

#define MLX_TAPE_SCAN(NAME, FN)                                                   \
  Def(env, exports, #NAME "(a, axis, reverse, inclusive)",                        \
      +[](const mx::array& a, int axis, bool reverse, bool inclusive) {           \
        return static_cast<ScanFn>(&mx::FN)(a, axis, reverse, inclusive, {});     \
      })

void InitReduce(Napi::Env env, Napi::Object exports) {
  MLX_TAPE_REDUCE(sum, sum);
  MLX_TAPE_REDUCE(prod, prod);
  MLX_TAPE_REDUCE(max, max);
  MLX_TAPE_REDUCE(min, min);
  MLX_TAPE_REDUCE(all, all);
  MLX_TAPE_REDUCE(any, any);
  MLX_TAPE_REDUCE(logsumexp, logsumexp);
  MLX_TAPE_REDUCE(countNonzero, count_nonzero);
  // mean, var and std are compositions in TS; these are for the vjp oracle
  // and for comparing values.
  MLX_TAPE_REDUCE(mean, mean);
  Def(env, exports, "var(a, axes, keepDims, ddof)",
      +[](const mx::array& a, Axes axes, bool keep, int ddof) {
        auto list = AxesOrAll(a, axes);
        CheckAxes("var", a, list);
        return mx::var(a, list, keep, ddof);
      });
  Def(env, exports, "std(a, axes, keepDims, ddof)",
      +[](const mx::array& a, Axes axes, bool keep, int ddof) {
        auto list = AxesOrAll(a, axes);
        CheckAxes("std", a, list);
        return mx::std(a, list, keep, ddof);
      });

  Def(env, exports, "argmax(a, axis, keepDims)",
      +[](const mx::array& a, std::optional<int> axis, bool keep) {
        return ArgReduce("argmax", &mx::argmax, &mx::argmax, a, axis, keep);
      });
  Def(env, exports, "argmin(a, axis, keepDims)",
      +[](const mx::array& a, std::optional<int> axis, bool keep) {
        return ArgReduce("argmin", &mx::argmin, &mx::argmin, a, axis, keep);
      });

  MLX_TAPE_SCAN(cumsum, cumsum);
  MLX_TAPE_SCAN(cumprod, cumprod);
  MLX_TAPE_SCAN(cummax, cummax);
  MLX_TAPE_SCAN(cummin, cummin);

  Def(env, exports, "softmax(a, axes, precise)",
      +[](const mx::array& a, std::vector<int> axes, bool precise) {
        CheckAxes("softmax", a, axes);
        return mx::softmax(a, axes, precise);
      });
  Def(env, exports, "crossEntropyFused(logits, targets)", +[](const mx::array& logits, const mx::array& targets) {
    CheckCrossEntropy("crossEntropyFused", logits, targets);
    return CrossEntropy(logits, targets)[0];
  });
  Def(env, exports, "crossEntropyFusedVjp(logits, targets, out, cotangent)",
      +[](const mx::array& logits, const mx::array& targets, const mx::array& out, const mx::array& cotangent) {
        CheckCrossEntropy("crossEntropyFusedVjp", logits, targets);
        // The fused primitive's own vjp, given the forward's output: MLX's
        // vjp transform would copy the logits and run the forward again.
        auto fused = mx::fast::cross_entropy(logits, targets);
        if (fused.has_primitive() && std::string(fused.primitive().name()) == "CrossEntropy" && out.dtype() == fused.dtype())
          return fused.primitive().vjp({logits, targets}, {cotangent}, {0}, {out})[0];
        auto loss = [&](const std::vector<mx::array>& x) { return CrossEntropy(x[0], targets); };
        return mx::vjp(loss, {logits}, {cotangent}).second[0];
      });
}

#undef MLX_TAPE_REDUCE
#undef MLX_TAPE_SCAN

}  // namespace mlx_tape
