// SPDX-License-Identifier: MIT
// Communicator ownership, error reporting and the small collectives.
#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "hessnet/dist/mpi_environment.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

TEST(Communicator, WorldWrapReportsRankAndSize) {
  const Communicator world;
  int rank = -1;
  int size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(world.rank(), rank);
  EXPECT_EQ(world.size(), size);
  EXPECT_EQ(world.get(), MPI_COMM_WORLD);
}

TEST(Communicator, DuplicateIsADistinctCommunicatorWithTheSameGroup) {
  const Communicator world;
  const Communicator copy = world.dup();
  int result = MPI_UNEQUAL;
  MPI_Comm_compare(world.get(), copy.get(), &result);
  EXPECT_ALL_RANKS(result == MPI_CONGRUENT);
  EXPECT_EQ(copy.rank(), world.rank());
}

TEST(Communicator, ErrorsOnADuplicateBecomeMpiError) {
  const Communicator copy = Communicator::world().dup();
  int value = 0;
  // An out-of-range root is caught locally by argument checking: no rank waits.
  EXPECT_THROW(HESSNET_MPI_CALL(MPI_Bcast(&value, 1, MPI_INT, copy.size() + 3, copy.get())),
               MpiError);
  EXPECT_ALL_RANKS(true);
}

TEST(Communicator, SplitGroupsRanksByColor) {
  const Communicator world;
  const Communicator half = world.split(world.rank() % 2, world.rank());
  EXPECT_EQ(half.size(), (world.size() + 1 - world.rank() % 2) / 2);
  EXPECT_EQ(allreduce_sum(half, 1), half.size());
}

TEST(Collectives, ScalarReductionsAgreeOnEveryRank) {
  const Communicator world;
  const int p = world.size();
  const int r = world.rank();
  EXPECT_EQ(allreduce_sum(world, r + 1), p * (p + 1) / 2);
  const Index big = 3'000'000'000;  // beyond int
  EXPECT_EQ(allreduce_sum(world, big * (r + 1)), big * p * (p + 1) / 2);
  EXPECT_DOUBLE_EQ(allreduce_sum(world, 0.5), 0.5 * p);
  EXPECT_EQ(allreduce_max(world, r), p - 1);
  EXPECT_EQ(allreduce_min(world, r), 0);
  EXPECT_DOUBLE_EQ(allreduce_max(world, -1.0 * r), 0.0);
  EXPECT_DOUBLE_EQ(allreduce_min(world, -1.0 * r), -1.0 * (p - 1));
  EXPECT_FALSE(allreduce_and(world, r != p - 1));
  EXPECT_TRUE(allreduce_and(world, true));
  EXPECT_TRUE(allreduce_or(world, r == p - 1));
  EXPECT_FALSE(allreduce_or(world, false));
}

TEST(Collectives, VectorSumIsElementwiseAndInPlace) {
  const Communicator world;
  Vector v(5);
  for (Index i = 0; i < 5; ++i) v[i] = static_cast<double>(world.rank() * 10 + i);
  allreduce_sum(world, v);
  const int p = world.size();
  for (Index i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(v[i], 10.0 * p * (p - 1) / 2 + static_cast<double>(i * p));
  }
  std::vector<double> empty;
  allreduce_sum(world, std::span<double>(empty));
}

TEST(Collectives, PairwiseReduceScatterLeavesEachRankTheSumOfItsSections) {
  const Communicator world;
  const int p = world.size();
  const int r = world.rank();
  // Section q has q + 1 values (one rank gets none when q + 1 is replaced by 0 below);
  // rank r puts 1000 r + 10 q + i into value i of section q.
  std::vector<int> counts(static_cast<std::size_t>(p));
  for (int q = 0; q < p; ++q) counts[static_cast<std::size_t>(q)] = q == 1 ? 0 : q + 1;
  std::vector<double> sections;
  std::vector<std::size_t> start;
  for (int q = 0; q < p; ++q) {
    start.push_back(sections.size());
    for (int i = 0; i < counts[static_cast<std::size_t>(q)]; ++i) sections.push_back(1000.0 * r + 10.0 * q + i);
  }
  const std::vector<double> before = sections;
  std::vector<double> scratch;
  reduce_scatter_sum(world, std::span<double>(sections), counts, scratch);
  bool right = true;
  for (int q = 0; q < p; ++q)
    for (int i = 0; i < counts[static_cast<std::size_t>(q)]; ++i) {
      const std::size_t at = start[static_cast<std::size_t>(q)] + static_cast<std::size_t>(i);
      const double want = q == r ? 1000.0 * p * (p - 1) / 2 + p * (10.0 * q + i) : before[at];
      right = right && sections[at] == want;
    }
  EXPECT_ALL_RANKS(right);
}

TEST(Collectives, BroadcastStringDeliversRootTextEverywhere) {
  const Communicator world;
  const std::string mine = world.rank() == 0 ? std::string("grid=2x2 nb=64") : std::string("x");
  EXPECT_EQ(broadcast(world, mine), "grid=2x2 nb=64");
  const int last = world.size() - 1;
  EXPECT_EQ(broadcast(world, world.rank() == last ? std::string() : std::string("nope"), last),
            "");
}

TEST(MpiEnvironment, SecondEnvironmentToleratesAlreadyInitialisedMpi) {
  const MpiEnvironment nested;
  EXPECT_FALSE(nested.owns_mpi());
  EXPECT_GE(nested.thread_level(), MPI_THREAD_SINGLE);
  EXPECT_EQ(nested.world().size(), Communicator::world().size());
}

}  // namespace
}  // namespace hessnet
