// SPDX-License-Identifier: MIT
#include "hessnet/dist/block_cyclic.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hessnet {
namespace {

/// Brute-force owner and local index: deal blocks of nb one by one to processes.
struct Dealt {
  std::vector<int> owner;
  std::vector<Index> local;
};

Dealt deal(Index n, Index nb, int isrc, int nprocs) {
  Dealt d;
  std::vector<Index> next(static_cast<std::size_t>(nprocs), 0);
  for (Index g = 0; g < n; ++g) {
    const int p = static_cast<int>((isrc + g / nb) % nprocs);
    d.owner.push_back(p);
    d.local.push_back(next[static_cast<std::size_t>(p)]++);
  }
  return d;
}

TEST(BlockCyclic, NumrocMatchesBruteForceForManySizes) {
  for (int nprocs = 1; nprocs <= 7; ++nprocs) {
    for (Index nb = 1; nb <= 9; ++nb) {
      for (Index n = 0; n <= 70; ++n) {
        for (int isrc = 0; isrc < nprocs; ++isrc) {
          const Dealt d = deal(n, nb, isrc, nprocs);
          for (int p = 0; p < nprocs; ++p) {
            Index count = 0;
            for (int o : d.owner) count += o == p ? 1 : 0;
            ASSERT_EQ(numroc(n, nb, p, isrc, nprocs), count)
                << "n " << n << " nb " << nb << " p " << p << " isrc " << isrc << " P " << nprocs;
          }
        }
      }
    }
  }
}

TEST(BlockCyclic, OwnerMatchesNumrocOnRaggedLastBlock) {
  // n = 103, nb = 8: the last block holds 7 indices and lands on process 12 mod P.
  for (int nprocs = 1; nprocs <= 6; ++nprocs) {
    const Index n = 103;
    const Index nb = 8;
    std::vector<Index> counted(static_cast<std::size_t>(nprocs), 0);
    for (Index g = 0; g < n; ++g) ++counted[static_cast<std::size_t>(owner_of(g, nb, 0, nprocs))];
    for (int p = 0; p < nprocs; ++p) {
      EXPECT_EQ(counted[static_cast<std::size_t>(p)], numroc(n, nb, p, 0, nprocs)) << "p " << p;
    }
    EXPECT_EQ(owner_of(n - 1, nb, 0, nprocs), 12 % nprocs);
  }
}

TEST(BlockCyclic, LocalAndGlobalIndicesAreInverseOnEveryProcess) {
  for (int nprocs = 1; nprocs <= 5; ++nprocs) {
    for (Index nb = 1; nb <= 6; ++nb) {
      for (int isrc = 0; isrc < nprocs; ++isrc) {
        const Index n = 61;
        const Dealt d = deal(n, nb, isrc, nprocs);
        for (Index g = 0; g < n; ++g) {
          const auto at = static_cast<std::size_t>(g);
          ASSERT_EQ(owner_of(g, nb, isrc, nprocs), d.owner[at]);
          ASSERT_EQ(local_index(g, nb, nprocs), d.local[at]);
          ASSERT_EQ(global_index(d.local[at], nb, d.owner[at], isrc, nprocs), g);
        }
      }
    }
  }
}

TEST(BlockCyclic, OwnedCountOfARangeCountsOwnedIndicesInIt) {
  const Index nb = 3;
  const int nprocs = 4;
  const Dealt d = deal(40, nb, 0, nprocs);
  for (Index begin = 0; begin <= 40; ++begin) {
    for (Index end = begin; end <= 40; ++end) {
      for (int p = 0; p < nprocs; ++p) {
        Index count = 0;
        for (Index g = begin; g < end; ++g) count += d.owner[static_cast<std::size_t>(g)] == p;
        ASSERT_EQ(owned_count(begin, end, nb, p, 0, nprocs), count);
      }
    }
  }
}

TEST(BlockCyclic, BlockRunsCoverTheRangeInOrderWithTheRightOwners) {
  for (int nprocs = 1; nprocs <= 4; ++nprocs) {
    for (Index nb = 1; nb <= 5; ++nb) {
      for (Index begin = 0; begin <= 17; ++begin) {
        for (Index end = begin; end <= 23; ++end) {
          Index next = begin;
          for_each_block_run(begin, end, nb, 1 % nprocs, nprocs, [&](Index b, Index e, int p) {
            ASSERT_EQ(b, next);
            ASSERT_LT(b, e);
            for (Index g = b; g < e; ++g) ASSERT_EQ(owner_of(g, nb, 1 % nprocs, nprocs), p);
            if (nprocs > 1) {
              ASSERT_LE(e - b, nb);
            }
            next = e;
          });
          ASSERT_EQ(next, end);
        }
      }
    }
  }
}

TEST(BlockCyclic, ChosenGridIsTheMostSquareFactorization) {
  EXPECT_EQ(choose_grid(1), (GridShape{1, 1}));
  EXPECT_EQ(choose_grid(2), (GridShape{1, 2}));
  EXPECT_EQ(choose_grid(4), (GridShape{2, 2}));
  EXPECT_EQ(choose_grid(6), (GridShape{2, 3}));
  EXPECT_EQ(choose_grid(7), (GridShape{1, 7}));
  EXPECT_EQ(choose_grid(12), (GridShape{3, 4}));
  EXPECT_EQ(choose_grid(64), (GridShape{8, 8}));
  for (int p = 1; p <= 200; ++p) {
    const GridShape g = choose_grid(p);
    ASSERT_EQ(g.size(), p);
    ASSERT_LE(g.nprow, g.npcol);
    for (int r = g.nprow + 1; r * r <= p; ++r) ASSERT_NE(p % r, 0) << "p " << p;
  }
  EXPECT_THROW(choose_grid(0), InvalidArgument);
}

TEST(BlockCyclic, GridStringsParseAsRowsByColumns) {
  EXPECT_EQ(parse_grid("2x3"), (GridShape{2, 3}));
  EXPECT_EQ(parse_grid("1X4"), (GridShape{1, 4}));
  EXPECT_EQ(parse_grid("16x16"), (GridShape{16, 16}));
}

TEST(BlockCyclic, MalformedGridStringsAreRejected) {
  for (const char* bad : {"", "x", "2", "2x", "x3", "0x4", "2x0", "-2x3", "+2x3", "2x3x4", " 2x3", "2x3 ", "2*3", "axb",
                          "99999x99999", "99999999999x1"}) {
    EXPECT_THROW(parse_grid(bad), InvalidArgument) << "'" << bad << "'";
  }
}

TEST(BlockCyclic, GridOptionAutoChoosesAndExplicitMustMatchRanks) {
  EXPECT_EQ(resolve_grid("", 6), (GridShape{2, 3}));
  EXPECT_EQ(resolve_grid("auto", 4), (GridShape{2, 2}));
  EXPECT_EQ(resolve_grid("4x1", 4), (GridShape{4, 1}));
  EXPECT_THROW(resolve_grid("2x2", 3), InvalidArgument);
}

}  // namespace
}  // namespace hessnet
