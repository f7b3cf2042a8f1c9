// SPDX-License-Identifier: MIT
// Distributed Cholesky solve: scaled residuals for SPD systems, agreed statuses otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include <Eigen/Cholesky>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/cholesky_solve.hpp"
#include "hessnet/dist/dist_linalg.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/dist_vector.hpp"
#include "hessnet/solver/damped_system.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

constexpr double k_eps = std::numeric_limits<double>::epsilon();

/// A = B B^T + n I with B(i, k) = sin(0.3 i + 0.7 k + 0.1), entry by entry.
double spd_entry(Index n, Index i, Index j) {
  double sum = i == j ? static_cast<double>(n) : 0.0;
  for (Index k = 0; k < n; ++k) {
    sum += std::sin(0.3 * static_cast<double>(i) + 0.7 * static_cast<double>(k) + 0.1) *
           std::sin(0.3 * static_cast<double>(j) + 0.7 * static_cast<double>(k) + 0.1);
  }
  return sum;
}

double rhs_entry(Index i) { return std::cos(0.5 * static_cast<double>(i)) + 0.25; }

/// The replicated right-hand side of rhs_entry.
Vector rhs_vector(Index n) {
  Vector g(n);
  for (Index i = 0; i < n; ++i) g[i] = rhs_entry(i);
  return g;
}

/// An indefinite matrix with eigenvalues near -3 (every fifth diagonal entry) and 2.
double indefinite_entry(Index i, Index j) {
  return i == j ? (i % 5 == 2 ? -3.0 : 2.0) : 0.01 * std::cos(static_cast<double>(i + j));
}

/// ||b - A x||_1 / (||A||_1 ||x||_1 n), as in SLATE's and LAPACK's posv tests.
double scaled_residual(const DistMatrix& a, const DistVector& x, const DistVector& b) {
  DistVector r = b;
  gemv(-1.0, a, x, 1.0, r);
  const auto n = static_cast<double>(a.rows());
  return norm_one(r) / (norm_one(a) * norm_one(x) * n);
}

TEST(CholeskySolve, SpdSystemIsSolvedToASmallScaledResidualOnEveryGrid) {
  const Communicator world;
  double worst_residual = 0.0;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    for (const Index nb : {8, 16, 64}) {
      const Index n = 150;
      DistMatrix a(grid, n, n, nb);
      a.set_entries([n](Index i, Index j) { return spd_entry(n, i, j); });
      DistVector b(grid, n, nb);
      b.set_entries([](Index i, Index) { return rhs_entry(i); });

      DistMatrix factor = a;
      // Only the lower triangle may be read: poison the strict upper part.
      factor.set_entries(
          [n](Index i, Index j) { return i >= j ? spd_entry(n, i, j) : std::numeric_limits<double>::quiet_NaN(); });
      DistVector x = b;
      const SolveResult result = cholesky_solve(factor, x);

      EXPECT_ALL_RANKS(result.status == SolveStatus::Ok && result.info == 0);
      const double residual = scaled_residual(a, x, b);
      EXPECT_ALL_RANKS(residual <= 10 * k_eps);
      worst_residual = std::max(worst_residual, residual);
    }
  }
  if (world.is_root()) std::printf("worst scaled residual %.3g eps\n", worst_residual / k_eps);
}

TEST(CholeskySolve, SeveralRightHandSidesAreSolvedTogether) {
  const Communicator world;
  const BlacsGrid grid(world);
  const Index n = 37;
  const Index nrhs = 3;
  DistMatrix a(grid, n, n, 8);
  a.set_entries([n](Index i, Index j) { return spd_entry(n, i, j); });
  DistMatrix b(grid, n, nrhs, 8);
  b.set_entries([](Index i, Index j) { return rhs_entry(i) * static_cast<double>(j + 1); });
  DistMatrix factor = a;
  DistMatrix x = b;
  const SolveResult result = cholesky_solve(factor, x);
  EXPECT_ALL_RANKS(result.status == SolveStatus::Ok);

  const Matrix full_a = a.gather_to_root();
  const Matrix full_b = b.gather_to_root();
  const Matrix full_x = x.gather_to_root();
  bool small = true;
  if (world.is_root()) {
    const Matrix r = full_b - full_a * full_x;
    for (Index j = 0; j < nrhs; ++j) {
      const double scaled = r.col(j).lpNorm<1>() / (full_a.cwiseAbs().colwise().sum().maxCoeff() *
                                                    full_x.col(j).lpNorm<1>() * static_cast<double>(n));
      small = small && scaled <= 10 * k_eps;
    }
  }
  EXPECT_ALL_RANKS(small);
}

TEST(CholeskySolve, IndefiniteMatrixReturnsNotPositiveDefiniteOnAllRanks) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    const Index n = 103;
    const Index bad = 57;
    DistMatrix a(grid, n, n, 16);
    a.set_entries([](Index i, Index j) { return i != j ? 0.0 : (i == bad ? -1.0 : 2.0); });
    DistVector b(grid, n, 16);
    b.set_entries([](Index i, Index) { return rhs_entry(i); });

    SolveResult result;
    bool threw = false;
    try {
      result = cholesky_solve(a, b);
    } catch (const std::exception&) {
      threw = true;
    }
    EXPECT_ALL_RANKS(!threw);
    EXPECT_ALL_RANKS(result.status == SolveStatus::NotPositiveDefinite);
    EXPECT_ALL_RANKS(result.info == bad + 1);
  }
}

TEST(CholeskySolve, DampingAnIndefiniteMatrixMakesItSolvable) {
  const Communicator world;
  const BlacsGrid grid(world);
  const Index n = 40;
  DistMatrix a(grid, n, n, 8);
  a.set_entries([](Index i, Index j) { return i == j ? (i % 7 == 3 ? -1.0 : 1.0) : 0.0; });
  a.add_to_diagonal(3.0);  // H + lambda I with lambda = 3: eigenvalues 2 and 4
  DistVector b(grid, n, 8);
  b.set_entries([](Index i, Index) { return rhs_entry(i); });
  DistVector x = b;
  const SolveResult result = cholesky_solve(a, x);
  EXPECT_ALL_RANKS(result.status == SolveStatus::Ok);
  const Vector solution = x.to_replicated();
  double worst = 0.0;
  for (Index i = 0; i < n; ++i) {
    const double diagonal = i % 7 == 3 ? 2.0 : 4.0;
    worst = std::max(worst, std::abs(solution[i] - rhs_entry(i) / diagonal));
  }
  EXPECT_ALL_RANKS(worst <= 4 * k_eps);
}

TEST(CholeskySolve, MismatchedShapesThrowDimensionMismatch) {
  const Communicator world;
  const BlacsGrid grid(world);
  DistMatrix square(grid, 20, 20, 8);
  square.add_to_diagonal(1.0);
  DistMatrix wide(grid, 20, 21, 8);
  DistVector short_b(grid, 19, 8);
  DistVector other_nb(grid, 20, 4);
  DistVector b(grid, 20, 8);
  EXPECT_THROW(cholesky_solve(wide, b), DimensionMismatch);
  EXPECT_THROW(cholesky_solve(square, short_b), DimensionMismatch);
  EXPECT_THROW(cholesky_solve(square, other_nb), DimensionMismatch);
}

TEST(DampedSystem, FactorsTheLowerTriangleFirstUnlessTheGridHasMoreRowsThanColumns) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    const Index n = 45;
    DistMatrix a(grid, n, n, 8);
    a.set_entries([n](Index i, Index j) { return spd_entry(n, i, j); });
    DampedSystem system(a, DampingOptions{}, 16);
    system.reset();
    Vector g(n);
    for (Index i = 0; i < n; ++i) g[i] = rhs_entry(i);
    EXPECT_ALL_RANKS(system.solve(g, 0.0).status == StepStatus::Ok);
    // The factored triangle changed; the other one (off the diagonal) still holds A.
    const Matrix after = a.gather_to_root();
    bool lower_kept = true, upper_kept = true;
    if (world.is_root())
      for (Index j = 0; j < n; ++j)
        for (Index i = j + 1; i < n; ++i) {
          lower_kept = lower_kept && after(i, j) == spd_entry(n, i, j);
          upper_kept = upper_kept && after(j, i) == spd_entry(n, j, i);
        }
    const bool tall = shape.nprow > shape.npcol;
    EXPECT_ALL_RANKS(!world.is_root() || (tall ? lower_kept && !upper_kept : upper_kept && !lower_kept));
  }
}

TEST(DampedSystem, RetriesFromTheIntactTriangleAndKeepsACopyOfTheMatrixOnEveryRankCount) {
  const Communicator world;
  // lambda 0 fails at the first -3 pivot, whose bound (about 3) puts the next lambda near 6:
  // one escalation (x10 steps from 1e-3 took five).
  const Index n = 37;
  const auto entry = indefinite_entry;
  Matrix dense(n, n);
  for (Index j = 0; j < n; ++j)
    for (Index i = 0; i < n; ++i) dense(i, j) = entry(i, j);
  const Vector g = rhs_vector(n);
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    DistMatrix a(grid, n, n, 4);
    a.set_entries(entry);
    DampedSystem system(a, DampingOptions{}, 5);
    system.reset();
    const DampedSolve solved = system.solve(g, 0.0);
    EXPECT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations == 1 && solved.factorizations == 2);
    EXPECT_ALL_RANKS(solved.lambda > 3 && solved.lambda < 7);
    // After the failed factorization one strict triangle still holds A: nothing had to be rebuilt.
    const Matrix after = a.gather_to_root();
    bool lower_kept = true, upper_kept = true;
    if (world.is_root())
      for (Index j = 0; j < n; ++j)
        for (Index i = j + 1; i < n; ++i) {
          lower_kept = lower_kept && after(i, j) == entry(i, j);
          upper_kept = upper_kept && after(j, i) == entry(j, i);
        }
    EXPECT_ALL_RANKS(!world.is_root() || lower_kept || upper_kept);
    const Matrix damped = dense + solved.lambda * Matrix::Identity(n, n);
    const Vector expected = damped.llt().solve(g);
    EXPECT_ALL_RANKS(solved.step.size() == n && (solved.step - expected).cwiseAbs().maxCoeff() <= 1e-12);
  }
}

TEST(DampedSystem, ALanczosProbeFindsAnIndefiniteMatrixWithoutSpendingAFactorization) {
  const Communicator world;
  const Index n = 37;
  const auto entry = indefinite_entry;
  const Vector g = rhs_vector(n);
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    DistMatrix a(grid, n, n, 4);
    a.set_entries(entry);
    DampedSystem probed(a, DampingOptions{.probe_min_order = 0}, 5);
    probed.reset();
    probed.set_indefinite_probe(true);
    const DampedSolve solved = probed.solve(g, 0.0);
    // The probe's bound (the smallest Ritz value, about -3) puts lambda near 6 at once.
    EXPECT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations == 1 && solved.factorizations == 1);
    EXPECT_ALL_RANKS(solved.lambda > 3 && solved.lambda < 7);
    EXPECT_ALL_RANKS(solved.notes.size() == 1 &&
                     solved.notes[0].find("Lanczos, without factoring") != std::string::npos);
    EXPECT_ALL_RANKS(probed.found_indefinite());
    // Once per update: a second solve (a rule's retry) factors without probing again.
    EXPECT_ALL_RANKS(probed.solve(g, 0.0).factorizations == 2);
    // Below probe_min_order (the default 12000 here) the probe is skipped: the factorization fails.
    a.set_entries(entry);
    DampedSystem small(a, DampingOptions{}, 5);
    small.reset();
    small.set_indefinite_probe(true);
    EXPECT_ALL_RANKS(small.solve(g, 0.0).factorizations == 2);
  }
}

TEST(DampedSystem, ALanczosProbeThatFindsNoNegativeCurvatureLeavesTheSolveAsItWas) {
  const Communicator world;
  const Index n = 40;
  const Vector g = rhs_vector(n);
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    DistMatrix a(grid, n, n, 4);
    a.set_entries([n](Index i, Index j) { return spd_entry(n, i, j); });
    DampedSystem plain(a, DampingOptions{}, 5);
    plain.reset();
    const DampedSolve reference = plain.solve(g, 0.5);
    a.set_entries([n](Index i, Index j) { return spd_entry(n, i, j); });
    DampedSystem probed(a, DampingOptions{.probe_min_order = 0}, 5);
    probed.reset();
    probed.set_indefinite_probe(true);
    const DampedSolve solved = probed.solve(g, 0.5);
    EXPECT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations == 0 && solved.factorizations == 1);
    EXPECT_ALL_RANKS((solved.step - reference.step).cwiseAbs().maxCoeff() == 0.0);
    EXPECT_ALL_RANKS(!probed.found_indefinite());
  }
}

}  // namespace
}  // namespace hessnet
