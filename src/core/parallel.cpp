// SPDX-License-Identifier: MIT
#include "hessnet/core/parallel.hpp"

#include "hessnet/core/blas.hpp"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hessnet {
namespace {

class Pool {
 public:
  explicit Pool(int threads) {
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { work(t); });
  }
  ~Pool() {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(Index n, const std::function<void(Index, Index)>& body) {
    {
      const std::lock_guard lock(mutex_);
      body_ = &body;
      n_ = n;
      pending_ = size() - 1;
      ++generation_;
    }
    wake_.notify_all();
    run_block(0, n, body);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
  }

 private:
  void run_block(int t, Index n, const std::function<void(Index, Index)>& body) const {
    const Index parts = size(), begin = n * t / parts, end = n * (t + 1) / parts;
    if (begin < end) body(begin, end);
  }

  void work(int t) {
    unsigned long seen = 0;
    for (;;) {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      const auto* body = body_;
      const Index n = n_;
      lock.unlock();
      run_block(t, n, *body);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(Index, Index)>* body_ = nullptr;
  Index n_ = 0;
  int pending_ = 0;
  unsigned long generation_ = 0;
  bool stop_ = false;
};

int g_threads = 0;  // 0: as many as BLAS (OPENBLAS_NUM_THREADS or its default)
std::unique_ptr<Pool> g_pool;
std::mutex g_pool_mutex;

}  // namespace

void set_parallel_threads(int threads) {
  const std::lock_guard lock(g_pool_mutex);
  g_threads = std::max(1, threads);
}

int parallel_threads() { return g_threads > 0 ? g_threads : std::max(1, blas::threads()); }

void parallel_for(Index n, const std::function<void(Index, Index)>& body) {
  if (n <= 0) return;
  const int threads = parallel_threads();
  if (threads == 1 || n == 1) {
    body(0, n);
    return;
  }
  Pool* pool = nullptr;
  {
    const std::lock_guard lock(g_pool_mutex);
    if (!g_pool || g_pool->size() != threads) g_pool = std::make_unique<Pool>(threads);
    pool = g_pool.get();
  }
  pool->run(n, body);
}

}  // namespace hessnet
