// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <vector>

#include "hessnet/core/error.hpp"
#include "hessnet/io/shard.hpp"

namespace hessnet {
namespace {

TEST(Shard, CoversEveryRowExactlyOnceInRankOrderForManySizes) {
  for (Index n = 0; n <= 60; ++n) {
    for (int p = 1; p <= 13; ++p) {
      Index next = 0, smallest = n, largest = 0;
      for (int r = 0; r < p; ++r) {
        const auto [begin, end] = shard_rows(n, r, p);
        ASSERT_EQ(begin, next) << "n=" << n << " P=" << p << " rank " << r;
        ASSERT_LE(begin, end);
        smallest = std::min(smallest, end - begin);
        largest = std::max(largest, end - begin);
        next = end;
      }
      EXPECT_EQ(next, n) << "n=" << n << " P=" << p;
      EXPECT_LE(largest - smallest, 1) << "n=" << n << " P=" << p;
    }
  }
}

TEST(Shard, GivesTheFirstRanksTheExtraRows) {
  // 10 rows on 4 ranks: 3, 3, 2, 2.
  EXPECT_EQ(shard_rows(10, 0, 4), std::make_pair(Index{0}, Index{3}));
  EXPECT_EQ(shard_rows(10, 1, 4), std::make_pair(Index{3}, Index{6}));
  EXPECT_EQ(shard_rows(10, 2, 4), std::make_pair(Index{6}, Index{8}));
  EXPECT_EQ(shard_rows(10, 3, 4), std::make_pair(Index{8}, Index{10}));
}

TEST(Shard, GivesEmptyBlocksWhenThereAreMoreRanksThanRows) {
  EXPECT_EQ(shard_rows(2, 1, 5), std::make_pair(Index{1}, Index{2}));
  EXPECT_EQ(shard_rows(2, 4, 5), std::make_pair(Index{2}, Index{2}));
}

TEST(Shard, HandlesRowCountsBeyondThirtyTwoBits) {
  const Index n = 5'000'000'000'017;
  EXPECT_EQ(shard_rows(n, 6, 7).second, n);
  EXPECT_EQ(shard_rows(n, 0, 7).second, n / 7 + 1);
}

TEST(Shard, RejectsARankOutOfRangeOrNegativeRows) {
  EXPECT_THROW(shard_rows(10, 4, 4), InvalidArgument);
  EXPECT_THROW(shard_rows(10, -1, 4), InvalidArgument);
  EXPECT_THROW(shard_rows(10, 0, 0), InvalidArgument);
  EXPECT_THROW(shard_rows(-1, 0, 1), InvalidArgument);
}

}  // namespace
}  // namespace hessnet
