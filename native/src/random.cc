// Random: MLX's keyed PRNG. Every sampler takes an optional key; without
// one it draws the next key from the global sequence that randomSeed resets.
// Exported as random<Name> (randomSplit, ...): the native namespace is flat
// and `split` is the shape op's.
#include "compile.h"
#include "convert.h"

namespace mlx_tape {

namespace {

// An optional key. Without one, inside a compiled function's trace, the
// drawn key would become a constant of the compiled graph (the same numbers
// on every call) and the global sequence would hold a tracer: refused.
struct Key {
  std::optional<mx::array> key;
  operator const std::optional<mx::array>&() const { return key; }
};

}  // namespace

template <>
struct Arg<Key> {
  static Key Get(Napi::Value v, const Where& what) {
    auto key = Arg<std::optional<mx::array>>::Get(v, what);
    if (!key && Tracing())
      throw Napi::TypeError::New(v.Env(), std::string(what.op) +
                                              ": inside mt.compile, pass a key (random.key, random.split) as an "
                                              "argument; the global sequence would give the same numbers on every call");
    return {std::move(key)};
  }
};

namespace {

// A distribution parameter: an array as given, or a JS number made an array
// of dtype `d` (MLX-Python turns scalars into arrays the same way).
mx::array Param(const Operand& v, mx::Dtype d) {
  if (const mx::array* array = Array::Find(v.value, v.where)) return *array;
  if (!v.value.IsNumber())
    throw Napi::TypeError::New(v.value.Env(), v.where.str() + " must be an MLX array or a number, got " +
                                                  Describe(v.value));
  return mx::array(v.value.As<Napi::Number>().DoubleValue(), d);
}

// categorical(logits, axis, shape, numSamples, key): at most one of shape
// and numSamples, as in MLX-Python.
mx::array Categorical(const mx::array& logits, int axis, std::optional<mx::Shape> shape,
                      std::optional<int> num_samples, Key key) {
  if (shape && num_samples)
    throw std::invalid_argument(
        "[categorical] give at most one of shape and numSamples");
  if (shape) return mx::random::categorical(logits, axis, *shape, key);
  if (num_samples) return mx::random::categorical(logits, axis, *num_samples, key);
  return mx::random::categorical(logits, axis, key);
}

}  // namespace

void InitRandom(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "randomSeed(seed)", +[](uint64_t s) { mx::random::seed(s); });
  Def(env, exports, "randomKey(seed)", +[](uint64_t s) { return mx::random::key(s); });
  Def(env, exports, "randomSplit(key, num)", +[](const mx::array& key, int num) {
    return mx::random::split(key, num);
  });
  Def(env, exports, "randomNormal(shape, dtype, loc, scale, key)",
      +[](mx::Shape shape, mx::Dtype d, std::optional<Operand> loc,
          std::optional<Operand> scale, Key key) {
        auto p = [d](const std::optional<Operand>& v) -> std::optional<mx::array> {
          if (!v) return std::nullopt;
          return Param(*v, d);
        };
        return mx::random::normal(shape, d, p(loc), p(scale), key);
      });
  Def(env, exports, "randomUniform(low, high, shape, dtype, key)",
      +[](Operand low, Operand high, mx::Shape shape, mx::Dtype d, Key key) {
        return mx::random::uniform(Param(low, d), Param(high, d), shape, d, key);
      });
  Def(env, exports, "randomBernoulli(p, shape, key)",
      +[](Operand p, std::optional<mx::Shape> shape, Key key) {
        auto prob = Param(p, mx::float32);
        return shape ? mx::random::bernoulli(prob, *shape, key)
                     : mx::random::bernoulli(prob, key);
      });
  Def(env, exports, "randomRandint(low, high, shape, dtype, key)",
      +[](Operand low, Operand high, mx::Shape shape, mx::Dtype d, Key key) {
        return mx::random::randint(Param(low, d), Param(high, d), shape, d, key);
      });
  Def(env, exports, "randomCategorical(logits, axis, shape, numSamples, key)", &Categorical);
  Def(env, exports, "randomTruncatedNormal(lower, upper, shape, dtype, key)",
      +[](Operand lower, Operand upper, std::optional<mx::Shape> shape, mx::Dtype d,
          Key key) {
        auto lo = Param(lower, d), hi = Param(upper, d);
        return shape ? mx::random::truncated_normal(lo, hi, *shape, d, key)
                     : mx::random::truncated_normal(lo, hi, d, key);
      });
}

}  // namespace mlx_tape
