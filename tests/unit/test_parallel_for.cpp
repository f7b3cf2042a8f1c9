// SPDX-License-Identifier: MIT
// The element loops cover every item exactly once however the work is split, and the
// kernel gives the same Hessian on one thread and on several.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/core/parallel.hpp"

namespace hessnet {
namespace {

class ParallelThreads : public ::testing::Test {
 protected:
  void TearDown() override { set_parallel_threads(saved_); }
  int saved_ = parallel_threads();
};

std::vector<int> visits(Index n, Index work_per_item) {
  std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
  parallel_for(n, work_per_item, [&](Index begin, Index end) {
    EXPECT_LE(0, begin);
    EXPECT_LT(begin, end);
    EXPECT_LE(end, n);
    for (Index i = begin; i < end; ++i) ++hits[static_cast<std::size_t>(i)];
  });
  return {hits.begin(), hits.end()};
}

TEST_F(ParallelThreads, EveryItemRunsExactlyOnceForAnySizeAndWork) {
  for (const int threads : {1, 2, 3, 8}) {
    set_parallel_threads(threads);
    for (const Index n : {1, 2, 7, 64, 1000, 100003})
      for (const Index work : {0, 1, 100, 1 << 20})
        EXPECT_EQ(visits(n, work), std::vector<int>(static_cast<std::size_t>(n), 1))
            << threads << " threads, n " << n << ", work " << work;
  }
}

TEST_F(ParallelThreads, AnEmptyRangeRunsNothing) {
  set_parallel_threads(4);
  bool ran = false;
  parallel_for(0, 1 << 20, [&](Index, Index) { ran = true; });
  EXPECT_FALSE(ran);
}

TEST_F(ParallelThreads, SmallWorkStaysOnTheCallingThread) {
  set_parallel_threads(4);
  int calls = 0;  // not atomic: one thread only
  parallel_for(100, 10, [&](Index begin, Index end) {
    ++calls;
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 100);
  });
  EXPECT_EQ(calls, 1);
}

TEST_F(ParallelThreads, TheKernelGivesTheSameHessianOnOneThreadAndOnSeveral) {
  // Wide enough that the element loops fork on several threads.
  const Network net = Network::he_normal(Input(6) >> Tanh(40) >> Sigmoid(30) >> Softmax(4), 3);
  const RowMatrix x = testing::random_matrix(300, 6, 1), y = testing::random_one_hot(300, 4, 2);
  const Loss loss = Loss::named("categorical_crossentropy");
  const ShardState state(net, loss, x, y, x.rows());
  const Index n = net.n_params();
  const auto lower = [&] {
    Matrix h = Matrix::Zero(n, n);
    HessianKernel(state).add_lower_panel(0, n, h.data(), n);
    return h;
  };
  set_parallel_threads(1);
  const Matrix serial = lower();
  for (const int threads : {2, 3}) {
    set_parallel_threads(threads);
    EXPECT_LE(testing::relative_error(lower(), serial), 1e-14) << threads << " threads";
  }
}

}  // namespace
}  // namespace hessnet
