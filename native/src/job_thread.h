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

namespace mlx_tape {

class JobThread {
 public:
  JobThread() { std::thread([this] { Loop(); }).detach(); }

  std::mutex& turn() { return turn_; }

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

  std::mutex turn_, mutex_;
  std::condition_variable wake_, done_;
  const std::function<void()>* job_ = nullptr;
  std::exception_ptr error_;
};

}  // namespace mlx_tape
