// SPDX-License-Identifier: MIT
// DistMatrix and DistVector: layout, tiles, diagonal updates, gathers.
#include <gtest/gtest.h>

#include <vector>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/dist_linalg.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/dist_vector.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

double entry(Index i, Index j) { return static_cast<double>(1000 * i + j); }

TEST(DistMatrix, DescriptorFieldsDescribeTheLocalArray) {
  const Communicator world;
  const BlacsGrid grid(world);
  const DistMatrix a(grid, 103, 57, 16);
  EXPECT_EQ(a.desc().dtype(), 1);
  EXPECT_EQ(a.desc().context(), grid.context());
  EXPECT_EQ(a.desc().m(), 103);
  EXPECT_EQ(a.desc().n(), 57);
  EXPECT_EQ(a.desc().mb(), 16);
  EXPECT_EQ(a.desc().nb(), 16);
  EXPECT_EQ(a.desc().rsrc(), 0);
  EXPECT_EQ(a.desc().csrc(), 0);
  EXPECT_EQ(a.desc().lld(), a.lld());
  EXPECT_EQ(a.lld(), std::max<Index>(1, a.local_rows()));
  EXPECT_EQ(a.local_bytes(), sizeof(double) * static_cast<std::size_t>(a.lld() * a.local_cols()));
}

TEST(DistMatrix, LocalPartsAddUpToTheWholeMatrixOnEveryGrid) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    const DistMatrix a(grid, 103, 45, 8);
    EXPECT_EQ(allreduce_sum(world, a.local_rows() * a.local_cols()), Index{103 * 45});
  }
}

TEST(DistMatrix, TilesVisitEveryOwnedEntryOnceWithConsistentIndices) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    DistMatrix a(grid, 70, 45, 16);
    Index visited = 0;
    bool consistent = true;
    a.for_each_local_tile([&](Index i0, Index j0, Index rows, Index cols, double* t, Index ld) {
      for (Index c = 0; c < cols; ++c) {
        for (Index r = 0; r < rows; ++r) {
          const Index i = i0 + r;
          const Index j = j0 + c;
          consistent = consistent && a.owns(i, j) && &a.local(a.local_row(i), a.local_col(j)) == t + r + c * ld;
          ++visited;
        }
      }
    });
    EXPECT_ALL_RANKS(consistent && visited == a.local_rows() * a.local_cols());
  }
}

TEST(DistMatrix, GatherToRootReassemblesTheGlobalMatrix) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    DistMatrix a(grid, 23, 17, 4);
    a.set_entries(entry);
    const Matrix full = a.gather_to_root();
    bool same = true;
    if (world.is_root()) {
      same = full.rows() == 23 && full.cols() == 17;
      for (Index j = 0; same && j < 17; ++j) {
        for (Index i = 0; i < 23; ++i) same = same && full(i, j) == entry(i, j);
      }
    } else {
      same = full.size() == 0;
    }
    EXPECT_ALL_RANKS(same);
  }
}

TEST(DistMatrix, AddToDiagonalChangesOnlyTheDiagonal) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    for (const Index nb : {3, 8}) {
      DistMatrix a(grid, 29, 31, nb);
      a.set_entries(entry);
      a.add_to_diagonal(0.5);
      bool right = true;
      a.for_each_local_tile([&](Index i0, Index j0, Index rows, Index cols, double* t, Index ld) {
        for (Index c = 0; c < cols; ++c) {
          for (Index r = 0; r < rows; ++r) {
            const double expected = entry(i0 + r, j0 + c) + (i0 + r == j0 + c ? 0.5 : 0.0);
            right = right && t[r + c * ld] == expected;
          }
        }
      });
      EXPECT_ALL_RANKS(right);
    }
  }
}

TEST(DistVector, ReplicatedVectorRoundTripsThroughTheDistribution) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    Vector v(41);
    for (Index i = 0; i < v.size(); ++i) v[i] = 0.25 * static_cast<double>(i) - 3.0;
    DistVector d(grid, 41, 8);
    d.set_from_replicated(v);
    EXPECT_ALL_RANKS(d.to_replicated() == v);
    EXPECT_THROW(d.set_from_replicated(Vector::Zero(40)), DimensionMismatch);
  }
}

TEST(DistLinalg, MatrixVectorProductsMatchTheGatheredMatrix) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    const Index n = 27;
    DistMatrix a(grid, n, n, 4);
    a.set_entries([](Index i, Index j) { return 1.0 / static_cast<double>(1 + i + 2 * j); });
    DistMatrix lower(grid, n, n, 4);
    lower.set_entries([](Index i, Index j) {
      return i >= j ? 1.0 / static_cast<double>(1 + i + 2 * j) : 99.0;  // symmetric: (j, i)
    });
    Vector xv(n);
    for (Index i = 0; i < n; ++i) xv[i] = static_cast<double>(i % 5) - 2.0;
    DistVector x(grid, n, 4);
    x.set_from_replicated(xv);
    DistVector y(grid, n, 4);
    gemv(1.0, a, x, 0.0, y);
    DistVector ys(grid, n, 4);
    symv_lower(1.0, lower, x, 0.0, ys);

    Matrix full(n, n);
    Matrix sym(n, n);
    for (Index i = 0; i < n; ++i) {
      for (Index j = 0; j < n; ++j) {
        full(i, j) = 1.0 / static_cast<double>(1 + i + 2 * j);
        sym(i, j) = 1.0 / static_cast<double>(1 + std::max(i, j) + 2 * std::min(i, j));
      }
    }
    EXPECT_ALL_RANKS((y.to_replicated() - full * xv).norm() <= 1e-13);
    EXPECT_ALL_RANKS((ys.to_replicated() - sym * xv).norm() <= 1e-13);
    EXPECT_ALL_RANKS(std::abs(norm_one(a) - full.cwiseAbs().colwise().sum().maxCoeff()) <= 1e-13);
  }
}

}  // namespace
}  // namespace hessnet
