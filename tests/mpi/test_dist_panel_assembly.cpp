// SPDX-License-Identifier: MIT
// Panel assembly of a sum of per-rank partial matrices into a distributed lower triangle.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/panel_assembler.hpp"
#include "hessnet/dist/triangle_mirror.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

/// Entry (r, c) of rank p's partial matrix.
double partial(int p, Index r, Index c) {
  return std::sin(0.37 * static_cast<double>(r) + 0.11 * static_cast<double>(c) + 1.3 * p) +
         1e-3 * (p + 1) * static_cast<double>(r - c);
}

/// Adds this rank's partial to the lower part of the panel (the only part a fill may write).
PanelFill synthetic_fill(int rank, Index n) {
  return [rank, n](Index c0, Index c1, double* panel, Index ld) {
    if (ld < n - c0) throw std::logic_error("leading dimension below N - c0");
    for (Index c = c0; c < c1; ++c)
      for (Index r = c; r < n; ++r) panel[(r - c0) + (c - c0) * ld] += partial(rank, r, c);
  };
}

/// Largest |H(i, j) - sum_p partial(p, i, j)| / max(1, sum_p |partial|) over owned lower
/// entries; upper entries must still hold `untouched`, else returns infinity.
double worst_lower_error(const DistMatrix& h, int nranks, double untouched) {
  double worst = 0.0;
  h.for_each_local_tile([&](Index i0, Index j0, Index rows, Index cols, const double* t, Index ld) {
    for (Index c = 0; c < cols; ++c) {
      for (Index r = 0; r < rows; ++r) {
        const Index i = i0 + r;
        const Index j = j0 + c;
        const double got = t[r + c * ld];
        if (i < j) {
          if (got != untouched) worst = std::numeric_limits<double>::infinity();
          continue;
        }
        double exact = 0.0;
        double scale = 1.0;
        for (int p = 0; p < nranks; ++p) {
          exact += partial(p, i, j);
          scale += std::abs(partial(p, i, j));
        }
        const double error = std::abs(got - exact) / scale;
        worst = std::isnan(error) ? std::numeric_limits<double>::infinity() : std::max(worst, error);
      }
    }
  });
  return worst;
}

/// Both schedules: every exactness test runs with each.
constexpr PanelReduction k_reductions[] = {PanelReduction::Sequential, PanelReduction::Overlapped};

const char* name_of(PanelReduction reduction) {
  return reduction == PanelReduction::Overlapped ? "overlapped" : "sequential";
}

struct Case {
  Index n;
  Index nb;
  std::vector<Index> bounds;
};

std::vector<Case> cases() {
  const std::vector<Index> ragged = {0, 5, 17, 40, 41, 77, 103};
  std::vector<Case> all;
  for (Index nb : {8, 16, 64}) {
    all.push_back({103, nb, ragged});
    all.push_back({103, nb, uniform_panel_bounds(103, 10)});
    all.push_back({103, nb, {0, 103}});
  }
  all.push_back({1, 8, {0, 1}});
  all.push_back({0, 8, {0}});
  return all;
}

TEST(PanelAssembly, LowerTriangleEqualsTheExactSumOfPartialsOnEveryGrid) {
  const Communicator world;
  for (const PanelReduction reduction : k_reductions) {
    for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
      const BlacsGrid grid(world, shape);
      for (const Case& k : cases()) {
        DistMatrix h(grid, k.n, k.n, k.nb);
        h.set_entries([](Index, Index) { return -7.0; });
        assemble_lower(h, k.bounds, synthetic_fill(world.rank(), k.n), reduction);
        const double error = worst_lower_error(h, world.size(), -7.0);
        EXPECT_ALL_RANKS(error <= 1e-12);
        if (error > 1e-12) {
          ADD_FAILURE() << name_of(reduction) << " grid " << shape.nprow << "x" << shape.npcol << " n " << k.n << " nb "
                        << k.nb << " panels " << k.bounds.size() - 1 << " error " << error;
        }
      }
    }
  }
}

TEST(PanelAssembly, SymmetricAssemblyMirrorsTheLowerSumIntoTheUpperTriangle) {
  const Communicator world;
  for (const PanelReduction reduction : k_reductions) {
    for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
      const BlacsGrid grid(world, shape);
      for (const Case& k : cases()) {
        DistMatrix lower(grid, k.n, k.n, k.nb), both(grid, k.n, k.n, k.nb);
        assemble_lower(lower, k.bounds, synthetic_fill(world.rank(), k.n), reduction);
        assemble_symmetric(both, k.bounds, synthetic_fill(world.rank(), k.n), reduction);
        const Matrix l = lower.gather_to_root(), b = both.gather_to_root();
        bool same = true;
        if (world.is_root())
          for (Index c = 0; c < k.n; ++c)
            for (Index r = c; r < k.n; ++r) same = same && b(r, c) == l(r, c) && b(c, r) == l(r, c);
        EXPECT_ALL_RANKS(same);
      }
    }
  }
}

TEST(PanelAssembly, FastPathMatchesTheAllreduceOracle) {
  const Communicator world;
  for (const PanelReduction reduction : k_reductions) {
    for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
      const BlacsGrid grid(world, shape);
      for (const Case& k : cases()) {
        DistMatrix fast(grid, k.n, k.n, k.nb);
        DistMatrix oracle(grid, k.n, k.n, k.nb);
        assemble_lower(fast, k.bounds, synthetic_fill(world.rank(), k.n), reduction);
        assemble_lower_via_allreduce(oracle, k.bounds, synthetic_fill(world.rank(), k.n));
        EXPECT_ALL_RANKS(worst_lower_error(oracle, world.size(), 0.0) <= 1e-12);
        double worst = 0.0;
        for (Index lj = 0; lj < fast.local_cols(); ++lj) {
          for (Index li = 0; li < fast.local_rows(); ++li) {
            worst = std::max(worst, std::abs(fast.local(li, lj) - oracle.local(li, lj)));
          }
        }
        EXPECT_ALL_RANKS(worst <= 1e-14 * world.size());
      }
    }
  }
}

TEST(PanelAssembly, EachPanelIsFilledOnceInOrderWithItsBounds) {
  const Communicator world;
  const BlacsGrid grid(world);
  for (const PanelReduction reduction : k_reductions) {
    DistMatrix h(grid, 50, 50, 8);
    const std::vector<Index> bounds = {0, 3, 20, 21, 50};
    std::vector<Index> seen;
    assemble_lower(
        h, bounds,
        [&](Index c0, Index c1, double* panel, Index ld) {
          bool zeroed = true;
          for (Index j = 0; j < c1 - c0; ++j)
            for (Index r = j; r < 50 - c0; ++r) zeroed = zeroed && panel[r + j * ld] == 0.0;
          if (!zeroed) seen.push_back(-1);
          seen.push_back(c0);
          seen.push_back(c1);
          panel[ld * (c1 - c0 - 1) + (c1 - c0 - 1)] = 1.0;  // dirty it: the next panel must start from zeros
        },
        reduction);
    EXPECT_ALL_RANKS((seen == std::vector<Index>{0, 3, 3, 20, 20, 21, 21, 50}));
  }
}

TEST(PanelAssembly, FillThatThrowsOnOneRankThrowsOnEveryRank) {
  const Communicator world;
  const BlacsGrid grid(world);
  const int thrower = world.size() - 1;
  for (const PanelReduction reduction : k_reductions) {
    // The second panel throws while the first one's exchange is pending (Overlapped).
    for (const std::vector<Index>& bounds : {std::vector<Index>{0, 10, 40}, std::vector<Index>{0, 5, 10, 40}}) {
      DistMatrix h(grid, 40, 40, 8);
      bool threw = false;
      try {
        assemble_lower(
            h, bounds,
            [&](Index c0, Index, double*, Index) {
              if (world.rank() == thrower && c0 == 10) throw std::runtime_error("kernel failed");
            },
            reduction);
      } catch (const std::runtime_error&) {
        threw = true;
      }
      EXPECT_ALL_RANKS(threw);
    }
    // The assembly still works afterwards: nothing was left pending.
    DistMatrix h(grid, 40, 40, 8);
    assemble_lower(h, {0, 10, 40}, synthetic_fill(world.rank(), 40), reduction);
    EXPECT_ALL_RANKS(worst_lower_error(h, world.size(), 0.0) <= 1e-12);
  }
}

TEST(PanelAssembly, OverlappedReductionGivesTheSameMatrixAsTheSequentialOne) {
  const Communicator world;
  const Index n = 103;
  std::vector<std::vector<Index>> panelings = {{0, 5, 17, 40, 41, 77, 103}, {0, 103}};
  for (const Index width : {1, 7, 10, 32}) panelings.push_back(uniform_panel_bounds(n, width));
  // A fill that calls the progress hook after every column, as the kernel does between steps.
  const auto progressing_fill = [&](Index c0, Index c1, double* panel, Index ld, const PanelProgress& progress) {
    for (Index c = c0; c < c1; ++c) {
      for (Index r = c; r < n; ++r) panel[(r - c0) + (c - c0) * ld] += partial(world.rank(), r, c);
      if (progress) progress();
    }
  };
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    for (const Index nb : {8, 16, 64}) {
      for (const std::vector<Index>& bounds : panelings) {
        for (const bool symmetric : {false, true}) {
          DistMatrix sequential(grid, n, n, nb), overlapped(grid, n, n, nb);
          sequential.set_entries([](Index, Index) { return -7.0; });
          overlapped.set_entries([](Index, Index) { return -7.0; });
          if (symmetric) {
            assemble_symmetric(sequential, bounds, synthetic_fill(world.rank(), n), PanelReduction::Sequential);
            assemble_symmetric(overlapped, bounds, ProgressingPanelFill(progressing_fill), PanelReduction::Overlapped);
          } else {
            assemble_lower(sequential, bounds, synthetic_fill(world.rank(), n), PanelReduction::Sequential);
            assemble_lower(overlapped, bounds, ProgressingPanelFill(progressing_fill), PanelReduction::Overlapped);
          }
          // The same sums in the same order: equal bit for bit, untouched entries included.
          bool same = true;
          for (Index lj = 0; lj < sequential.local_cols(); ++lj)
            for (Index li = 0; li < sequential.local_rows(); ++li)
              same = same && sequential.local(li, lj) == overlapped.local(li, lj);
          EXPECT_ALL_RANKS(same);
          if (!same)
            ADD_FAILURE() << "grid " << shape.nprow << "x" << shape.npcol << " nb " << nb << " panels "
                          << bounds.size() - 1 << (symmetric ? " symmetric" : " lower");
        }
      }
    }
  }
}

TEST(PanelAssembly, OverlappedFillIsGivenProgressWhileThePreviousPanelIsPending) {
  const Communicator world;
  const BlacsGrid grid(world);
  DistMatrix h(grid, 30, 30, 8);
  std::vector<bool> given;
  assemble_lower(
      h, {0, 10, 20, 30},
      [&](Index, Index, double*, Index, const PanelProgress& progress) {
        given.push_back(static_cast<bool>(progress));
        if (progress) progress();
      },
      PanelReduction::Overlapped);
  // One rank has no exchange; on several, every panel but the first has one pending.
  const bool several = world.size() > 1;
  EXPECT_ALL_RANKS((given == std::vector<bool>{false, several, several}));
}

TEST(PanelAssembly, BadPanelBoundsThrowInvalidArgumentOnEveryRank) {
  const Communicator world;
  const BlacsGrid grid(world);
  DistMatrix h(grid, 30, 30, 8);
  DistMatrix wide(grid, 30, 31, 8);
  const PanelFill nothing = [](Index, Index, double*, Index) {};
  for (const std::vector<Index>& bad : {std::vector<Index>{}, {1, 30}, {0, 29}, {0, 10, 10, 30}, {0, 20, 10, 30}}) {
    bool threw = false;
    try {
      assemble_lower(h, bad, nothing);
    } catch (const InvalidArgument&) {
      threw = true;
    }
    EXPECT_ALL_RANKS(threw);
  }
  // Bounds that differ between ranks are caught too (only possible with P > 1).
  if (world.size() > 1) {
    const std::vector<Index> mine = world.rank() == 0 ? std::vector<Index>{0, 15, 30} : std::vector<Index>{0, 10, 30};
    EXPECT_THROW(assemble_lower(h, mine, nothing), InvalidArgument);
  }
  EXPECT_THROW(assemble_lower(wide, {0, 31}, nothing), InvalidArgument);
}

TEST(PanelAssembly, UniformBoundsEndAtNWithANarrowerLastPanel) {
  EXPECT_EQ(uniform_panel_bounds(10, 4), (std::vector<Index>{0, 4, 8, 10}));
  EXPECT_EQ(uniform_panel_bounds(8, 4), (std::vector<Index>{0, 4, 8}));
  EXPECT_EQ(uniform_panel_bounds(3, 10), (std::vector<Index>{0, 3}));
  EXPECT_EQ(uniform_panel_bounds(0, 10), (std::vector<Index>{0}));
  EXPECT_THROW(uniform_panel_bounds(10, 0), InvalidArgument);
}

TEST(PanelAssembly, BufferEstimateCountsThePanelAndTheReceivedShare) {
  // One rank: none, H itself is the panel.
  EXPECT_EQ(panel_buffer_bytes(1000, 100, 1), std::size_t{0});
  // Four ranks: panel + a quarter of its lower part (n w - w(w-1)/2), sent from in place.
  const double packed = 1000.0 * 100 - 100.0 * 99 / 2;
  EXPECT_EQ(panel_buffer_bytes(1000, 100, 4), static_cast<std::size_t>(1000.0 * 100 + packed * 0.25) * 8);
  EXPECT_EQ(panel_buffer_bytes(50, 100, 2),
            static_cast<std::size_t>(50.0 * 50 + (50.0 * 50 - 50.0 * 49 / 2) * 0.5) * 8);
  // Overlapped: two panels and a quarter per exchange step (three on four ranks).
  EXPECT_EQ(panel_buffer_bytes(1000, 100, 1, PanelReduction::Overlapped), std::size_t{0});
  EXPECT_EQ(panel_buffer_bytes(1000, 100, 4, PanelReduction::Overlapped),
            static_cast<std::size_t>(2 * 1000.0 * 100 + packed * 0.75) * 8);
  EXPECT_EQ(panel_buffer_bytes(1000, 100, 2, PanelReduction::Overlapped),
            static_cast<std::size_t>(2 * 1000.0 * 100 + packed * 0.5) * 8);
}

TEST(TriangleMirror, EitherTriangleIsCopiedOntoTheOtherOnEveryGridBlockAndWidth) {
  const Communicator world;
  const auto value = [](Index r, Index c) { return static_cast<double>(1000 * r + c); };  // r >= c
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    for (const Index nb : {3, 8, 64}) {
      for (const Index width : {1, 7, 41}) {
        const Index n = 41;
        DistMatrix h(grid, n, n, nb);
        // Lower triangle known, upper garbage: copy down-to-up; then the reverse.
        h.set_entries([&](Index i, Index j) { return i >= j ? value(i, j) : -1.0; });
        mirror_triangle(h, MirrorDirection::LowerToUpper, width);
        const Matrix up = h.gather_to_root();
        h.set_entries([&](Index i, Index j) { return i <= j ? value(j, i) : -2.0; });
        mirror_triangle(h, MirrorDirection::UpperToLower, width);
        const Matrix down = h.gather_to_root();
        bool right = true;
        if (world.is_root())
          for (Index j = 0; j < n; ++j)
            for (Index i = 0; i < n; ++i) {
              const double want = value(std::max(i, j), std::min(i, j));
              right = right && up(i, j) == want && down(i, j) == want;
            }
        EXPECT_ALL_RANKS(right);
      }
    }
  }
}

}  // namespace
}  // namespace hessnet
