// Where MLX's eval runs. Each op that eval runs allocates small objects
// (array copies, buffers, tasks) with malloc, from the arena of the thread
// that calls eval. On the JS thread that is glibc's main arena, which Node
// and V8 share and fragment. On a thread of its own, the eval alone of W3's
// chain took 4.9-7.3 us per op against 6.8-8.3 on the JS thread
// (bench/micro/dispatch.ts alternates the two; five runs).
//
// CPU-only builds evaluate there by default. GPU builds keep the JS thread
// (on an H100, bench/micro/eval-thread.ts measured no difference) unless
// evalOnJsThread(false). An eval inside an MLX transform (vjp, compile's
// trace) stays on the calling thread, whose thread-local trace state tells
// eval to keep the graph.
#include "evaluate.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <unordered_set>

#include "convert.h"
#include "job_thread.h"
#include "mlx/primitives.h"

namespace mlx_tape {

namespace {

bool CpuOnly() {
  static const bool cpu_only = !mx::is_available(mx::Device::gpu);
  return cpu_only;
}
std::atomic<bool> on_js_thread{!CpuOnly()};  // JS worker threads share it

// Whether the calling thread is the one to evaluate: nothing is left to
// schedule, or an array is a tracer of a transform running on this thread
// (is_tracer() reads the thread's trace state).
bool HereOnly(const std::vector<mx::array>& arrays) {
  bool scheduled = true;
  for (const auto& a : arrays) {
    if (a.is_tracer()) return true;
    scheduled = scheduled && a.status() != mx::array::unscheduled;
  }
  return scheduled;
}

}  // namespace

void Evaluate(std::vector<mx::array> arrays) {
  if (on_js_thread || HereOnly(arrays)) {
    mx::eval(std::move(arrays));
    return;
  }
  static JobThread* thread = new JobThread;  // never destroyed: it outlives every caller
  std::lock_guard<std::mutex> one_caller(thread->turn());  // JS worker threads take turns
  const std::function<void()> job = [&] { mx::eval(arrays); };
  thread->Start(job);
  thread->Finish();
}

void InitEvaluate(Napi::Env env, Napi::Object exports) {
  // Arrays made on this JS thread must be evaluable on the evaluation
  // thread: MLX's default streams are per thread, so give this one streams
  // that any thread may use.
  mx::set_default_stream(mx::new_thread_unsafe_stream(mx::Device::cpu));
  if (!CpuOnly()) mx::set_default_stream(mx::new_thread_unsafe_stream(mx::Device::gpu));
  Def(env, exports, "eval(arrays)", +[](std::vector<mx::array> arrays) { Evaluate(std::move(arrays)); });
  Def(env, exports, "evalOnJsThread(on)", +[](bool on) { return on_js_thread.exchange(on); });
  // The unevaluated graph behind arrays, a "Primitive@device" per node, for
  // counting a step's ops and finding ops off the default device.
  Def(env, exports, "graphOps(arrays)", +[](std::vector<mx::array> arrays) {
    std::vector<std::string> ops;
    std::unordered_set<std::uintptr_t> seen;
    while (!arrays.empty()) {
      mx::array a = std::move(arrays.back());
      arrays.pop_back();
      if (!a.has_primitive() || a.status() != mx::array::unscheduled || !seen.insert(a.primitive_id()).second) continue;
      auto& p = a.primitive();
      ops.push_back(std::string(p.name()) + (p.stream().device == mx::Device::cpu ? "@cpu" : "@gpu"));
      for (const auto& in : a.inputs()) arrays.push_back(in);
    }
    return ops;
  });
}

}  // namespace mlx_tape
