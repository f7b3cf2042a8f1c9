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
  EXPECT_THROW(HESSNET_MPI_CALL(MPI_Bcast(&value, 1, MPI_INT, copy.size() + 3, copy.get())), MpiError);
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

TEST(Collectives, PairwiseReduceScatterSumsEachRanksRunsFromAnyLayout) {
  const Communicator world;
  const int p = world.size();
  const int r = world.rank();
  // Blocks of two values, block k owned by rank k % p, three blocks per rank; rank r holds
  // 100 r + i at position i. Each rank adds what it receives into its own compact copy.
  const Index blocks = 3 * p;
  std::vector<double> values(static_cast<std::size_t>(2 * blocks));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 100.0 * r + static_cast<double>(i);
  const auto runs_for = [&](int q) {
    DoubleRuns runs;
    for (Index k = q; k < blocks; k += p) runs.add(2 * k, 2);
    return runs;
  };
  std::vector<double> mine;
  for (Index k = r; k < blocks; k += p) mine.insert(mine.end(), {values[2 * k], values[2 * k + 1]});
  std::vector<double> scratch;
  int calls = 0;
  reduce_scatter_runs(world, values.data(), runs_for, static_cast<Index>(mine.size()), scratch,
                      [&](const double* received) {
                        for (std::size_t i = 0; i < mine.size(); ++i) mine[i] += received[i];
                        ++calls;
                      });
  bool right = calls == p - 1;
  std::size_t at = 0;
  for (Index k = r; k < blocks; k += p)
    for (Index i = 2 * k; i < 2 * k + 2; ++i)
      right = right && mine[at++] == 100.0 * p * (p - 1) / 2 + p * static_cast<double>(i);
  EXPECT_ALL_RANKS(right);
}

TEST(Collectives, BroadcastStringDeliversRootTextEverywhere) {
  const Communicator world;
  const std::string mine = world.rank() == 0 ? std::string("grid=2x2 nb=64") : std::string("x");
  EXPECT_EQ(broadcast(world, mine), "grid=2x2 nb=64");
  const int last = world.size() - 1;
  EXPECT_EQ(broadcast(world, world.rank() == last ? std::string() : std::string("nope"), last), "");
}

TEST(MpiEnvironment, SecondEnvironmentToleratesAlreadyInitialisedMpi) {
  const MpiEnvironment nested;
  EXPECT_FALSE(nested.owns_mpi());
  EXPECT_GE(nested.thread_level(), MPI_THREAD_SINGLE);
  EXPECT_EQ(nested.world().size(), Communicator::world().size());
}

}  // namespace
}  // namespace hessnet
