// SPDX-License-Identifier: MIT
#pragma once
// Assertions and fixtures for MPI tests. An assertion that gates a collective must come out
// the same on every rank, or the ranks that return early leave the others hanging.
#include <gtest/gtest.h>

#include <vector>

#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/communicator.hpp"

namespace hessnet::testing {

/// Collective: number of ranks of `comm` on which `ok` is false.
inline int failing_ranks(bool ok, const Communicator& comm = Communicator::world()) {
  return allreduce_sum(comm, ok ? 0 : 1);
}

/// The grid shapes a test should cover on `nranks` ranks: the default (choose_grid), 1 x P,
/// P x 1, and 2 x 2 when P = 4, without duplicates.
inline std::vector<GridShape> test_grid_shapes(int nranks) {
  std::vector<GridShape> shapes = {choose_grid(nranks), GridShape{1, nranks}, GridShape{nranks, 1}};
  if (nranks == 4) shapes.push_back(GridShape{2, 2});
  std::vector<GridShape> unique;
  for (const GridShape& s : shapes) {
    bool seen = false;
    for (const GridShape& u : unique) seen = seen || u == s;
    if (!seen) unique.push_back(s);
  }
  return unique;
}

}  // namespace hessnet::testing

/// EXPECT_TRUE(cond) on every rank of MPI_COMM_WORLD after an allreduce, so the verdict is
/// the same everywhere; the message says how many ranks saw cond false.
#define EXPECT_ALL_RANKS(cond)                                                                       \
  do {                                                                                               \
    const int hessnet_failing_ = ::hessnet::testing::failing_ranks(static_cast<bool>(cond));         \
    EXPECT_EQ(hessnet_failing_, 0) << "'" #cond "' was false on " << hessnet_failing_ << " rank(s)"; \
  } while (false)

/// As EXPECT_ALL_RANKS, but returns from the test on every rank when any rank failed.
#define ASSERT_ALL_RANKS(cond)                                                                       \
  do {                                                                                               \
    const int hessnet_failing_ = ::hessnet::testing::failing_ranks(static_cast<bool>(cond));         \
    ASSERT_EQ(hessnet_failing_, 0) << "'" #cond "' was false on " << hessnet_failing_ << " rank(s)"; \
  } while (false)
