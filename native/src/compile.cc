// mt.compile: MLX's compile over a JS function. MLX traces the function once
// per input signature (shapes, dtypes and the JS side's constants), calling
// back into JS, then simplifies and fuses the traced graph and replays it on
// later calls without calling JS at all.
#include "compile.h"

#include <unordered_set>
#include <utility>

#include "convert.h"
#include "mlx/compile_impl.h"

namespace mlx_tape {

namespace {

thread_local int tracing = 0;

// The JS function being traced, for the traced lambda (compile's function
// takes arrays only). A stack: a compiled function may call another.
struct Tracee {
  Napi::Env env;
  Napi::Function fn;
};
thread_local Tracee* tracee = nullptr;

// Arrays reachable from `outputs` that a JS handle made before the trace
// holds, not reached through an input: fn captured a tensor, whose value
// the compiled graph would keep as a constant forever.
void RefuseCaptures(Napi::Env env, const std::vector<mx::array>& inputs,
                    const std::vector<mx::array>& outputs,
                    const std::unordered_set<std::uintptr_t>& before) {
  std::unordered_set<std::uintptr_t> seen;
  for (const auto& x : inputs) seen.insert(x.id());
  std::vector<mx::array> stack(outputs.begin(), outputs.end());
  while (!stack.empty()) {
    mx::array a = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(a.id()).second) continue;
    if (before.count(a.id()))
      throw Napi::TypeError::New(
          env, "[compile] fn uses a tensor that is not one of its inputs (shape " +
                   ShapeString(a.shape()) + ", " + DtypeName(a.dtype()) +
                   "): the compiled function would keep its current value forever. Pass it "
                   "as an argument, or its module or optimizer in { state }");
    for (const auto& in : a.inputs()) stack.push_back(in);
  }
}

std::vector<mx::array> Trace(const std::vector<mx::array>& tracers) {
  Tracee& t = *tracee;
  // Held until the check, not just their ids: a handle the GC frees during
  // the trace would free its array, whose address a new array could reuse.
  auto live = Array::Live();
  std::unordered_set<std::uintptr_t> before;
  for (const auto& a : live) before.insert(a.id());
  auto args = Napi::Array::New(t.env, tracers.size());
  for (uint32_t i = 0; i < tracers.size(); ++i) args.Set(i, Array::New(t.env, tracers[i]));
  ++tracing;
  struct Done {
    ~Done() { --tracing; }
  } done;
  auto outputs = Arg<std::vector<mx::array>>::Get(t.fn.Call({args}), Where{"compile", "fn's result"});
  RefuseCaptures(t.env, tracers, outputs, before);
  return outputs;
}

// One compiled function: MLX's cache entry is keyed by its address.
struct Compiled {
  bool shapeless;
  ~Compiled() {
    mx::detail::compile_erase(mx::detail::compile_cache(), reinterpret_cast<std::uintptr_t>(this));
  }
};

Compiled* CompiledOf(Napi::Value v) {
  if (!v.IsExternal())
    throw Napi::TypeError::New(v.Env(), "compiledCall: argument 'compiled' must come from compile(), got " +
                                            Describe(v));
  return v.As<Napi::External<Compiled>>().Data();
}

// compile(shapeless) → an opaque compiled function, erased from MLX's cache
// when the GC collects it (MLX only, no V8: safe inside GC).
Napi::Value Compile(const Napi::CallbackInfo& info) {
  bool shapeless = Arg<bool>::Get(info[0], Where{"compile", "shapeless"});
  return Napi::External<Compiled>::New(info.Env(), new Compiled{shapeless},
                                       [](Napi::Env, Compiled* c) { delete c; });
}

// compiledCall(compiled, fn, inputs, constant): runs the compiled function
// on `inputs`; `fn` (handles → handles) is called only when MLX traces;
// `constant` names the JS-side variant (non-tensor arguments, structure).
Napi::Value CompiledCall(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Compiled* c = CompiledOf(info[0]);
  if (!info[1].IsFunction())
    throw Napi::TypeError::New(env, "compiledCall: argument 'fn' must be a function, got " + Describe(info[1]));
  auto inputs = Arg<std::vector<mx::array>>::Get(info[2], Where{"compiledCall", "inputs"});
  auto constant = static_cast<uint64_t>(ToInteger(info[3], Where{"compiledCall", "constant"}, 0, INT32_MAX));
  Tracee t{env, info[1].As<Napi::Function>()};
  Tracee* outer = std::exchange(tracee, &t);
  struct Restore {
    Tracee* outer;
    ~Restore() { tracee = outer; }
  } restore{outer};
  auto call = mx::detail::compile(Trace, reinterpret_cast<std::uintptr_t>(c), c->shapeless, {constant});
  return Ret<std::vector<mx::array>>::Make(env, call(inputs));
}

}  // namespace

bool Tracing() { return tracing > 0; }

void InitCompile(Napi::Env env, Napi::Object exports) {
  DefRaw<Compile>(env, exports, "compile");
  DefRaw<CompiledCall>(env, exports, "compiledCall");
}

}  // namespace mlx_tape
