// SPDX-License-Identifier: MIT
// BLACS grids: coordinates, rank mapping, and shapes that do not fit the communicator.
#include <gtest/gtest.h>

#include "hessnet/dist/blacs_grid.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

TEST(BlacsGrid, EveryRankGetsTheRowMajorCoordinateOfItsRank) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    EXPECT_EQ(grid.nprow(), shape.nprow);
    EXPECT_EQ(grid.npcol(), shape.npcol);
    EXPECT_ALL_RANKS(grid.myrow() * grid.npcol() + grid.mycol() == world.rank());
    bool mapping = true;
    for (int r = 0; r < grid.nprow(); ++r) {
      for (int c = 0; c < grid.npcol(); ++c) {
        mapping = mapping && grid.rank_of(r, c) == r * grid.npcol() + c;
      }
    }
    EXPECT_ALL_RANKS(mapping);
    EXPECT_GE(grid.context(), 0);
  }
}

TEST(BlacsGrid, DefaultGridIsTheMostSquareOne) {
  const Communicator world;
  const BlacsGrid grid(world);
  EXPECT_EQ(grid.shape(), choose_grid(world.size()));
  EXPECT_EQ(grid.size(), world.size());
}

TEST(BlacsGrid, GridLargerThanTheCommunicatorThrowsInvalidArgumentOnEveryRank) {
  const Communicator world;
  bool threw = false;
  try {
    const BlacsGrid grid(world, world.size() + 1, 1);
  } catch (const InvalidArgument&) {
    threw = true;
  }
  EXPECT_ALL_RANKS(threw);
}

TEST(BlacsGrid, GridSmallerThanTheCommunicatorThrowsInvalidArgumentOnEveryRank) {
  const Communicator world;
  if (world.size() == 1) GTEST_SKIP() << "needs more than one rank";
  EXPECT_THROW(BlacsGrid(world, 1, world.size() - 1), InvalidArgument);
  EXPECT_ALL_RANKS(true);  // every rank got here: nobody is stuck in BLACS
}

TEST(BlacsGrid, ZeroOrNegativeDimensionsThrowInvalidArgument) {
  const Communicator world;
  EXPECT_THROW(BlacsGrid(world, 0, world.size()), InvalidArgument);
  EXPECT_THROW(BlacsGrid(world, -1, -world.size()), InvalidArgument);
}

TEST(BlacsGrid, RanksAskingForDifferentShapesAllThrow) {
  const Communicator world;
  if (world.size() != 4) GTEST_SKIP() << "needs four ranks";
  const GridShape mine = world.rank() == 0 ? GridShape{1, 4} : GridShape{2, 2};
  EXPECT_THROW(BlacsGrid(world, mine), InvalidArgument);
}

TEST(BlacsGrid, GridsOnDuplicatedCommunicatorsCanBeCreatedRepeatedly) {
  const Communicator world;
  for (int round = 0; round < 20; ++round) {
    const Communicator mine = world.dup();
    const BlacsGrid grid(mine);
    EXPECT_ALL_RANKS(grid.communicator().rank() == world.rank());
  }
}

}  // namespace
}  // namespace hessnet
