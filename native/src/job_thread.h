// A thread of the addon's that runs one job at a time for a caller that
// waits for it: the CPU kernels' helper (kernels.cc). Callers take turns by
// holding turn() from Start to Finish; between the two the caller may do
// work of its own.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#endif

namespace mlx_tape {

#ifdef __linux__
// The CPUs this process may run on: the main thread's affinity (the addon's
// threads narrow their own; evaluate.cc and JobThread::AvoidCallersCpu).
inline bool ProcessCpus(cpu_set_t* set) { return sched_getaffinity(getpid(), sizeof *set, set) == 0; }
#endif

class JobThread {
 public:
  JobThread() {
    std::thread thread([this] {
#ifdef __linux__
      // Started from the stream thread, it would inherit its SCHED_BATCH (evaluate.cc).
      sched_param none{};
      pthread_setschedparam(pthread_self(), SCHED_OTHER, &none);
#endif
      Loop();
    });
    handle_ = thread.native_handle();
    thread.detach();
  }

  std::mutex& turn() { return turn_; }

  // Keeps the thread off the caller's CPU (Linux; elsewhere a no-op): it is
  // there to use another core, and the caller may be held on its own
  // (evaluate.cc). Call it while holding turn().
  void AvoidCallersCpu() {
#ifdef __linux__
    const int cpu = sched_getcpu();
    if (cpu < 0 || cpu == avoided_) return;
    cpu_set_t set;
    if (!ProcessCpus(&set)) return;
    CPU_CLR(cpu, &set);
    if (CPU_COUNT(&set) > 0 && pthread_setaffinity_np(handle_, sizeof set, &set) == 0) avoided_ = cpu;
#endif
  }

  // Hands `job` to the thread; it must stay valid until Finish returns.
  void Start(const std::function<void()>& job) {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &job;
    error_ = nullptr;
    wake_.notify_one();
  }
  void Start(const std::function<void()>&&) = delete;  // a temporary would be gone before the thread runs it

  // Waits for the job; rethrows what it threw.
  void Finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return job_ == nullptr; });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return job_ != nullptr; });
      const std::function<void()>* job = job_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*job)();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      error_ = error;
      job_ = nullptr;
      done_.notify_one();
    }
  }

  std::thread::native_handle_type handle_;
  int avoided_ = -1;  // the CPU AvoidCallersCpu keeps it off
  std::mutex turn_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void()>* job_ = nullptr;
  std::exception_ptr error_;
};

}  // namespace mlx_tape
