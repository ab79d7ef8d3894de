// Where MLX's eval runs. Each op that eval runs allocates small objects
// (array copies, buffers, tasks) with malloc, from the arena of the thread
// that calls eval. On the JS thread that is glibc's main arena, which Node
// and V8 share and fragment; W3's eval there spent a third of its time in
// _int_malloc/_int_free (perf). A thread of our own gets an arena of its own:
// bench/micro/dispatch.ts and eval-thread.ts alternate the two.
//
// CPU-only builds use it by default; GPU builds evaluate on the JS thread
// unless evalOnJsThread(false). An eval inside an MLX transform (vjp,
// compile's trace) stays on the calling thread, whose thread-local trace
// state tells eval to keep the graph.
#include "evaluate.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "convert.h"

namespace mlx_tape {

namespace {

class EvalThread {
 public:
  EvalThread() { std::thread([this] { Loop(); }).detach(); }

  void Run(std::vector<mx::array>& arrays) {
    std::lock_guard<std::mutex> one_caller(caller_);  // JS worker threads take turns
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = &arrays;
    error_ = nullptr;
    wake_.notify_one();
    done_.wait(lock, [this] { return job_ == nullptr; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return job_ != nullptr; });
      lock.unlock();
      std::exception_ptr error;
      try {
        mx::eval(*job_);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      job_ = nullptr;
      done_.notify_one();
    }
  }

  std::mutex caller_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<mx::array>* job_ = nullptr;
  std::exception_ptr error_;
};

bool CpuOnly() {
  static const bool cpu_only = !mx::is_available(mx::Device::gpu);
  return cpu_only;
}
bool on_js_thread = !CpuOnly();

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
  static EvalThread* thread = new EvalThread;  // never destroyed: it outlives every caller
  thread->Run(arrays);
}

void InitEvaluate(Napi::Env env, Napi::Object exports) {
  // Arrays made on this JS thread must be evaluable on the evaluation
  // thread: MLX's default streams are per thread, so give this one streams
  // that any thread may use.
  mx::set_default_stream(mx::new_thread_unsafe_stream(mx::Device::cpu));
  if (!CpuOnly()) mx::set_default_stream(mx::new_thread_unsafe_stream(mx::Device::gpu));
  Def(env, exports, "eval(arrays)", +[](std::vector<mx::array> arrays) { Evaluate(std::move(arrays)); });
  Def(env, exports, "evalOnJsThread(on)", +[](bool on) { return std::exchange(on_js_thread, on); });
}

}  // namespace mlx_tape
