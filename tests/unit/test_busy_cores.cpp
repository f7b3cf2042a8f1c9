// SPDX-License-Identifier: MIT
// A rank keeps its threads while the node has room for them, and drops to fewer (never 0)
// while processes outside the job hold the cores; a busy process is seen as runnable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "hessnet/core/busy_cores.hpp"

namespace hessnet {
namespace {

TEST(BusyCores, ARankKeepsItsThreadsWhileTheNodeHasRoomForThem) {
  EXPECT_EQ(threads_for_busy_node({.threads = 2, .ranks_on_node = 1, .node_cpus = 2}, 0), 2);
  EXPECT_EQ(threads_for_busy_node({.threads = 4, .ranks_on_node = 1, .node_cpus = 8}, 4), 4);
  // Two ranks of 2 threads on 4 cores: the other rank's threads are not "outside".
  EXPECT_EQ(threads_for_busy_node({.threads = 2, .ranks_on_node = 2, .node_cpus = 4}, 2), 2);
}

TEST(BusyCores, OtherProcessesOnTheCoresLeaveFewerThreadsButNeverNone) {
  EXPECT_EQ(threads_for_busy_node({.threads = 2, .ranks_on_node = 1, .node_cpus = 2}, 1), 1);
  EXPECT_EQ(threads_for_busy_node({.threads = 2, .ranks_on_node = 1, .node_cpus = 2}, 4), 1);
  EXPECT_EQ(threads_for_busy_node({.threads = 8, .ranks_on_node = 1, .node_cpus = 8}, 3), 5);
  EXPECT_EQ(threads_for_busy_node({.threads = 2, .ranks_on_node = 2, .node_cpus = 4}, 3), 1);
}

TEST(BusyCores, ASpinningProcessCountsAsRunnableElsewhere) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    volatile unsigned long spins = 0;
    for (;;) spins = spins + 1;  // until killed
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::optional<int> others = runnable_elsewhere();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(others.has_value());
  EXPECT_GE(*others, 1);
}

}  // namespace
}  // namespace hessnet
