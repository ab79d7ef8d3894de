// Where MLX's CPU work runs. An eval hands its tasks to the CPU stream's
// thread and waits for them. On a VM, waking a thread whose CPU is idle costs
// tens of µs (the host has to run the halted vCPU again: bench/micro/
// handoff.c measured 82-86 µs a round trip between the two CPUs of the
// development VM, 5-6 on one), and a stream thread on another CPU takes the
// tasks one by one while the caller is still queueing them. So on CPU-only
// builds the stream thread follows the calling JS thread's CPU: it runs
// while the caller waits (SCHED_BATCH, so that it does not preempt the
// caller while that is still queueing), and OpenBLAS's workers
// (KeepBlasThreadsOff) and the kernels' helper (kernels.cc) keep the other
// cores. The cost: while it runs, the stream thread cannot leave that CPU if
// other work lands there; the next eval moves it with the caller.
// bench/micro/stream-cpu.ts measures it (bench/NOTES.md);
// streamFollowsCaller switches it, for that comparison.
#include "evaluate.h"

#include <atomic>
#include <unordered_set>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

#include "convert.h"
#include "job_thread.h"
#include "mlx/primitives.h"
#include "mlx/scheduler.h"

#if defined(__linux__) && defined(MLX_TAPE_OPENBLAS_LINKED)
extern "C" int openblas_get_num_threads();
extern "C" int openblas_setaffinity(int thread_idx, size_t cpusetsize, cpu_set_t* cpu_set);
#endif

namespace mlx_tape {

namespace {

bool CpuOnly() {
  static const bool cpu_only = !mx::is_available(mx::Device::gpu);
  return cpu_only;
}
std::atomic<bool> follow_caller{CpuOnly()};  // JS worker threads share it

#ifdef __linux__
// OpenBLAS's worker threads (all but the calling one, its last index) on
// every CPU but `cpu` (-1: on every CPU). Woken by a GEMM on the stream
// thread, a worker is otherwise placed beside it on the caller's CPU at
// times, and the two then take turns on one core, GEMM after GEMM, while
// the other idles: W1 steps of ~6 ms instead of ~4, with ~35 involuntary
// context switches instead of 4-5 (bench/micro/blas-placement.ts).
// The workers are the process's: with several JS threads, the last move holds.
void KeepBlasThreadsOff(int cpu) {
#ifdef MLX_TAPE_OPENBLAS_LINKED
  cpu_set_t set;
  if (!ProcessCpus(&set)) return;
  if (cpu >= 0) CPU_CLR(cpu, &set);
  if (CPU_COUNT(&set) == 0) return;
  for (int i = 0, workers = openblas_get_num_threads() - 1; i < workers; i++) openblas_setaffinity(i, sizeof set, &set);
#else
  (void)cpu;
#endif
}
#endif

// Puts this JS thread's CPU stream thread on the caller's CPU, or back on
// any CPU when it should not follow: a task queued ahead of the eval's own.
void PlaceStreamThread() {
#ifdef __linux__
  thread_local int placed = -1;  // each JS thread has its stream; -1: any CPU, as MLX starts it
  const int cpu = follow_caller ? sched_getcpu() : -1;
  if (cpu == placed) return;
  cpu_set_t set;
  if (cpu >= 0) {
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
  } else if (!ProcessCpus(&set)) {
    return;
  }
  placed = cpu;
  KeepBlasThreadsOff(cpu);
  // Held on the caller's CPU, it also takes SCHED_BATCH: woken by each task
  // the caller queues, it would otherwise preempt the caller at once, and the
  // two would trade the CPU for every op of a long graph.
  const int policy = cpu >= 0 ? SCHED_BATCH : SCHED_OTHER;
  mx::scheduler::enqueue(mx::default_stream(mx::Device::cpu), [set, policy] {
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    sched_param none{};
    pthread_setschedparam(pthread_self(), policy, &none);
  });
#endif
}

}  // namespace

void Evaluate(std::vector<mx::array> arrays) {
  PlaceStreamThread();
  mx::eval(std::move(arrays));
}

void InitEvaluate(Napi::Env env, Napi::Object exports) {
  // This JS thread's streams (each worker runs this too): the CPU stream's
  // thread is the one PlaceStreamThread moves.
  mx::set_default_stream(mx::new_thread_unsafe_stream(mx::Device::cpu));
  if (!CpuOnly()) mx::set_default_stream(mx::new_thread_unsafe_stream(mx::Device::gpu));
  Def(env, exports, "eval(arrays)", +[](std::vector<mx::array> arrays) { Evaluate(std::move(arrays)); });
  Def(env, exports, "synchronize()", +[] { mx::synchronize(); });
  Def(env, exports, "streamFollowsCaller(on)", +[](bool on) { return follow_caller.exchange(on); });
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
