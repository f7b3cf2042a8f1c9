// SPDX-License-Identifier: MIT
// Mixed-precision solves: a float32 factorization refined against the float64 matrix gives
// steps that pass the same scaled-residual test as the float64 solve, on every grid; an
// ill-conditioned matrix falls back to float64; a float32 factorization that fails bounds the
// shift as the float64 one does; the memory plan decides the precision.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <cmath>
#include <limits>

#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/hessian_storage.hpp"
#include "hessnet/solver/damped_system.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

constexpr double k_eps = std::numeric_limits<double>::epsilon();

/// Q diag(eigenvalues) Q^T with a fixed orthogonal Q (a Householder reflection).
Matrix with_spectrum(const Vector& eigenvalues) {
  const Index n = eigenvalues.size();
  Vector v(n);
  for (Index i = 0; i < n; ++i) v[i] = std::cos(0.9 * static_cast<double>(i) + 0.3);
  v.normalize();
  const Matrix q = Matrix::Identity(n, n) - 2 * v * v.transpose();
  return q * eigenvalues.asDiagonal() * q.transpose();
}

/// ||b - A x||_1 / (||A||_1 ||x||_1 n), as LAPACK's and SLATE's posv tests.
double scaled_residual(const Matrix& a, const Vector& x, const Vector& b) {
  return (b - a * x).lpNorm<1>() /
         (a.cwiseAbs().colwise().sum().maxCoeff() * x.lpNorm<1>() * static_cast<double>(x.size()));
}

Vector rhs(Index n) {
  Vector b(n);
  for (Index i = 0; i < n; ++i) b[i] = std::sin(0.37 * static_cast<double>(i)) + 0.1;
  return b;
}

/// A DampedSystem over `h` on `grid` in mixed precision; the storage outlives the system.
struct Mixed {
  DistMatrix a;
  FloatCholesky single;
  DampedSystem system;
  Mixed(const BlacsGrid& grid, const Matrix& h, Index nb)
      : a(grid, h.rows(), h.cols(), nb), single(a), system(a, DampingOptions{}, 8, &single) {
    a.set_entries([&](Index i, Index j) { return h(i, j); });
    system.reset();
  }
};

TEST(MixedPrecision, RefinedStepsPassTheDoublePrecisionResidualTestOnEveryGrid) {
  const Communicator world;
  Vector eigenvalues(61);
  for (Index i = 0; i < 61; ++i) eigenvalues[i] = 0.05 + static_cast<double>(i) * 0.3;  // condition ~ 400
  const Matrix h = with_spectrum(eigenvalues);
  const Vector b = rhs(61);
  double worst = 0;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    for (const Index nb : {4, 16}) {
      Mixed m(grid, h, nb);
      const DampedSolve solved = m.system.solve(b, 0.5);
      ASSERT_ALL_RANKS(solved.status == StepStatus::Ok && solved.factorizations == 1);
      const Matrix damped = h + 0.5 * Matrix::Identity(61, 61);
      const double residual = scaled_residual(damped, solved.step, b);
      worst = std::max(worst, residual);
      EXPECT_ALL_RANKS(residual <= 10 * k_eps);
      EXPECT_ALL_RANKS(m.system.fallbacks() == 0 && m.system.refinement_steps() >= 1);
    }
  }
  if (world.is_root()) std::printf("largest scaled residual of a refined step: %.3g eps\n", worst / k_eps);
}

/// The identity with a leading 2x2 block [1, 1 + a; 1 + a, 1 + a (2 + a) + 2^-40], a = 2^-24 - 2^-30:
/// positive definite with determinant 2^-40 (condition ~ 2^42), and rounded to float32 it is
/// [1, 1; 1, 1 + 2^-23], whose determinant is 2^17 times larger. So float32 factors it on any
/// BLAS, and each refinement step removes only 2^-17 of the error along the small eigenvector.
Matrix positive_below_float_rounding(Index n) {
  Matrix h = Matrix::Identity(n, n);
  const double a = std::ldexp(1.0, -24) - std::ldexp(1.0, -30);
  h(0, 1) = h(1, 0) = 1 + a;
  h(1, 1) = 1 + a * (2 + a) + std::ldexp(1.0, -40);
  return h;
}

TEST(MixedPrecision, AnIllConditionedMatrixFallsBackToDoublePrecision) {
  const Communicator world;
  const Matrix h = positive_below_float_rounding(40);
  const Vector b = rhs(40);
  ASSERT_GT(Eigen::SelfAdjointEigenSolver<Matrix>(h).eigenvalues()[0], 0);
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    Mixed m(grid, h, 8);
    const Factorization f = m.system.factor(0.0);
    const Vector x = f.positive_definite ? m.system.solve_factored(b) : Vector();
    // float32 factors it, but 30 refinement steps cannot meet the residual test: the solve is
    // redone in float64, which also factors it.
    ASSERT_ALL_RANKS(f.positive_definite);
    EXPECT_ALL_RANKS(m.system.fallbacks() == 1);
    EXPECT_ALL_RANKS(x.allFinite() && scaled_residual(h, x, b) <= 10 * k_eps);
  }
}

/// The identity with a leading 2x2 block [1, 1 + a; 1 + a, 1 + b], a = 2^-24 - 2^-30 and
/// b = 2^-24 + 2^-30: indefinite (1 + b < (1 + a)^2), but rounded to float32 it is
/// [1, 1; 1, 1 + 2^-23], positive definite. So float32 factors it, refinement stalls, and the
/// float64 factorization of the fall-back finds it indefinite.
Matrix indefinite_below_float_rounding(Index n) {
  Matrix h = Matrix::Identity(n, n);
  const double a = std::ldexp(1.0, -24) - std::ldexp(1.0, -30), b = std::ldexp(1.0, -24) + std::ldexp(1.0, -30);
  h(0, 1) = h(1, 0) = 1 + a;
  h(1, 1) = 1 + b;
  return h;
}

TEST(MixedPrecision, AMatrixIndefiniteBelowFloatRoundingIsDampedNotReportedAsNonFinite) {
  const Communicator world;
  const Matrix h = indefinite_below_float_rounding(40);
  const Vector b = rhs(40);
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    Mixed m(grid, h, 8);
    const DampedSolve solved = m.system.solve(b, 0.0);
    // Before, the fall-back's failure came back as a NaN step (StepStatus::NonFinite) and
    // stopped training; now it escalates lambda past the negative eigenvalue like any other.
    ASSERT_ALL_RANKS(m.system.fallbacks() >= 1);
    ASSERT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations >= 1);
    const double lambda_min = Eigen::SelfAdjointEigenSolver<Matrix>(h).eigenvalues()[0];
    EXPECT_ALL_RANKS(lambda_min < 0 && solved.lambda > -lambda_min);
    const Matrix damped = h + solved.lambda * Matrix::Identity(40, 40);
    EXPECT_ALL_RANKS(scaled_residual(damped, solved.step, b) <= 10 * k_eps);
    if (world.is_root())
      std::printf("grid %dx%d: lambda %.3g after %d factorizations, %d float64 fall-backs\n", shape.nprow, shape.npcol,
                  solved.lambda, solved.factorizations, m.system.fallbacks());
  }
}

TEST(MixedPrecision, ALowerOnlyAssemblySolvesAsTheSymmetricOneWithRefinementFallBackAndEscalation) {
  const Communicator world;
  Vector spread(40);
  for (Index i = 0; i < 40; ++i) spread[i] = 0.05 + static_cast<double>(i) * 0.3;
  const Vector b = rhs(40);
  for (const Matrix& h :
       {with_spectrum(spread), positive_below_float_rounding(40), indefinite_below_float_rounding(40)}) {
    for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
      const BlacsGrid grid(world, shape);
      Mixed both(grid, h, 8);
      const DampedSolve reference = both.system.solve(b, 0.0);
      // The upper triangle as a lower-only assembly may leave it: anything, here NaN.
      DistMatrix a(grid, 40, 40, 8);
      if (DampedSystem::needs_upper_triangle(a, true)) continue;  // grids that factor the upper triangle
      a.set_entries([&](Index i, Index j) { return i >= j ? h(i, j) : std::numeric_limits<double>::quiet_NaN(); });
      FloatCholesky single(a);
      DampedSystem lower(a, DampingOptions{}, 8, &single);
      lower.reset(false);
      const DampedSolve solved = lower.solve(b, 0.0);
      EXPECT_ALL_RANKS(solved.status == reference.status && solved.lambda == reference.lambda &&
                       solved.factorizations == reference.factorizations);
      EXPECT_ALL_RANKS(solved.step.size() == 40 && (solved.step - reference.step).cwiseAbs().maxCoeff() <=
                                                       1e-13 * reference.step.cwiseAbs().maxCoeff());
      EXPECT_ALL_RANKS(lower.fallbacks() == both.system.fallbacks());
    }
  }
}

TEST(MixedPrecision, SolveSecondsCountNestedCallsOnceInEitherPrecision) {
  // factor -> sharpen -> multiply and solve_factored -> refine -> multiply are timed calls
  // inside timed calls: counting both made assembly + solve exceed an epoch's total time.
  const Communicator world;
  Vector eigenvalues(300);
  for (Index i = 0; i < 300; ++i) eigenvalues[i] = -2 + 0.05 * static_cast<double>(i);  // indefinite
  const Matrix h = with_spectrum(eigenvalues);
  const BlacsGrid grid(world, testing::test_grid_shapes(world.size()).front());
  for (const bool mixed : {false, true}) {
    DistMatrix a(grid, h.rows(), h.cols(), 16);
    a.set_entries([&](Index i, Index j) { return h(i, j); });
    FloatCholesky single(a);
    DampedSystem system(a, DampingOptions{}, 8, mixed ? &single : nullptr);
    system.reset();
    const Stopwatch clock;
    const DampedSolve solved = system.solve(rhs(300), 0.0);
    const double wall = clock.seconds();
    ASSERT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations >= 1);
    EXPECT_ALL_RANKS(solved.seconds <= wall && system.seconds() <= wall);
  }
}

TEST(MixedPrecision, AFailedSinglePrecisionFactorizationBoundsTheShiftAsTheDoubleOneDoes) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    Vector eigenvalues(30);
    for (Index i = 0; i < 30; ++i) eigenvalues[i] = static_cast<double>(i) - 7.25;
    const Matrix h = with_spectrum(eigenvalues);
    Mixed m(grid, h, 4);
    const Factorization f = m.system.factor(1.0);
    ASSERT_ALL_RANKS(!f.positive_definite);
    EXPECT_ALL_RANKS(f.lambda_bound <= 7.25 * (1 + 1e-6) && f.lambda_bound >= 7.25 * 0.99);
    const DampedSolve solved = m.system.solve(rhs(30), 1.0);
    ASSERT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations == 1);
    const Matrix damped = h + solved.lambda * Matrix::Identity(30, 30);
    EXPECT_ALL_RANKS(scaled_residual(damped, solved.step, rhs(30)) <= 10 * k_eps);
  }
}

TEST(MixedPrecision, TheMemoryPlanChoosesTheFloatCopyOnlyWhenAskedOrWhenItFits) {
  const Communicator world;
  const GridShape grid = choose_grid(world.size());
  HessianStorage automatic(world, 200, grid, 16, {}, Precision::Auto);
  HessianStorage doubled(world, 200, grid, 16, {}, Precision::Double);
  EXPECT_ALL_RANKS(automatic.mixed_precision() && automatic.plan().solve_bytes > 0);
  EXPECT_ALL_RANKS(!doubled.mixed_precision() && doubled.plan().solve_bytes == 0);
  EXPECT_ALL_RANKS(automatic.plan().solve_bytes * 2 == automatic.plan().hessian_bytes);
}

}  // namespace
}  // namespace hessnet
