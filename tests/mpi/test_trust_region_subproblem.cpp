// SPDX-License-Identifier: MIT
// The Moré–Sorensen iteration on the distributed Cholesky factorization against a dense
// reference (an eigendecomposition and bisection on the secular equation): definite and
// indefinite matrices, interior and boundary solutions, and the hard case; every grid the
// rank count allows. Also the bound a failed factorization gives on the shift.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/solver/damped_system.hpp"
#include "hessnet/solver/trust_region_subproblem.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

/// Q diag(eigenvalues) Q^T with a fixed orthogonal Q (Householder of a smooth vector).
Matrix with_spectrum(const Vector& eigenvalues) {
  const Index n = eigenvalues.size();
  Vector v(n);
  for (Index i = 0; i < n; ++i) v[i] = std::sin(1.3 * static_cast<double>(i) + 0.4);
  v.normalize();
  const Matrix q = Matrix::Identity(n, n) - 2 * v * v.transpose();
  return q * eigenvalues.asDiagonal() * q.transpose();
}

/// The exact minimizer of g^T s + s^T H s / 2 over |s| <= radius, and its multiplier, from
/// the eigendecomposition: lambda = 0 when H is positive definite and the Newton step fits,
/// else |s(lambda)| = radius by bisection, plus a multiple of the eigenvector of the smallest
/// eigenvalue in the hard case.
struct Exact {
  Vector step;
  double lambda = 0;
};
Exact exact_solution(const Matrix& h, const Vector& g, double radius) {
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(h);
  const Vector& ev = eig.eigenvalues();
  const Matrix& q = eig.eigenvectors();
  const Vector gq = q.transpose() * g;
  const auto step = [&](double lambda) {
    Vector c(ev.size());
    for (Index i = 0; i < ev.size(); ++i) c[i] = ev[i] + lambda > 1e-14 ? -gq[i] / (ev[i] + lambda) : 0.0;
    return Vector(q * c);
  };
  if (ev[0] > 0 && step(0).norm() <= radius) return {step(0), 0};
  double low = std::max(0.0, -ev[0]), high = low + g.norm() / radius + h.cwiseAbs().sum();
  if (std::abs(gq[0]) <= 1e-12 * g.norm() && step(low).norm() <= radius) {  // the hard case
    Vector s = step(low);
    const double tau = std::sqrt(std::max(radius * radius - s.squaredNorm(), 0.0));
    return {s + tau * q.col(0), low};
  }
  for (int k = 0; k < 200; ++k) {
    const double mid = 0.5 * (low + high);
    (step(mid).norm() > radius ? low : high) = mid;
  }
  return {step(high), high};
}

double model(const Matrix& h, const Vector& g, const Vector& s) { return g.dot(s) + 0.5 * s.dot(h * s); }

struct Case {
  std::string name;
  Vector eigenvalues;
  Vector gradient;
  double radius;
};

std::vector<Case> cases() {
  const Index n = 23;
  Vector spread(n), indefinite(n), gradient(n), orthogonal(n);
  for (Index i = 0; i < n; ++i) {
    spread[i] = 0.5 + static_cast<double>(i);
    indefinite[i] = static_cast<double>(i) - 4.5;
    gradient[i] = std::cos(0.7 * static_cast<double>(i)) + 0.2;
  }
  // The hard case: g has no component along the eigenvector of the smallest eigenvalue.
  const Matrix h_hard = with_spectrum(indefinite);
  const Eigen::SelfAdjointEigenSolver<Matrix> eig(h_hard);
  orthogonal = gradient - eig.eigenvectors().col(0).dot(gradient) * eig.eigenvectors().col(0);
  return {
      {"definite, interior Newton step", spread, 0.1 * gradient, 10.0},
      {"definite, on the boundary", spread, gradient, 0.05},
      {"indefinite", indefinite, gradient, 1.0},
      {"indefinite, large radius", indefinite, gradient, 50.0},
      {"hard case", indefinite, orthogonal, 20.0},
  };
}

TEST(TrustRegionSubproblem, MatchesTheDenseSolutionOnEveryGridForDefiniteIndefiniteAndHardCases) {
  const Communicator world;
  SubproblemOptions tight;
  tight.boundary_tolerance = 1e-9;  // converge fully, so the steps can be compared
  tight.hard_case_tolerance = 1e-9;
  tight.max_factorizations = 60;
  double worst = 0;
  for (const Case& c : cases()) {
    const Matrix h = with_spectrum(c.eigenvalues);
    const Exact exact = exact_solution(h, c.gradient, c.radius);
    for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
      const BlacsGrid grid(world, shape);
      for (const Index nb : {4, 16}) {
        DistMatrix a(grid, h.rows(), h.cols(), nb);
        a.set_entries([&](Index i, Index j) { return h(i, j); });
        DampedSystem system(a, DampingOptions{}, 8);
        system.reset();
        const SubproblemSolution s = solve_trust_region_subproblem(system, c.gradient, c.radius, 0.0, tight);
        ASSERT_ALL_RANKS(s.step.size() == h.rows());
        const double error = (s.step - exact.step).norm() / exact.step.norm();
        const double model_error = std::abs(model(h, c.gradient, s.step) - model(h, c.gradient, exact.step)) /
                                   std::abs(model(h, c.gradient, exact.step));
        if (c.name != "hard case") worst = std::max(worst, error);
        EXPECT_ALL_RANKS(s.step.norm() <= c.radius * (1 + 1e-8));
        EXPECT_ALL_RANKS(model_error <= 1e-8);
        EXPECT_ALL_RANKS(std::abs(s.lambda - exact.lambda) <= 1e-6 * (1 + exact.lambda));
        EXPECT_ALL_RANKS(std::abs(s.predicted_decrease + model(h, c.gradient, s.step)) <=
                         1e-12 * std::abs(s.predicted_decrease));
        if (c.name != "hard case") EXPECT_ALL_RANKS(error <= 1e-6);  // the hard case's step has a free sign
        EXPECT_ALL_RANKS(s.hard_case == (c.name == "hard case"));
        if (error > 1e-6 && c.name != "hard case")
          ADD_FAILURE() << c.name << " nb " << nb << " error " << error << " lambda " << s.lambda << " vs "
                        << exact.lambda << " hard " << s.hard_case << " factorizations " << s.factorizations << " |s| "
                        << s.step.norm() << (s.notes.empty() ? "" : " " + s.notes[0]);
      }
    }
  }
  if (world.is_root()) std::printf("largest relative step error against the dense solution: %.3g\n", worst);
}

TEST(TrustRegionSubproblem, DefaultTolerancesGiveMostOfTheOptimalDecreaseInAFewFactorizations) {
  const Communicator world;
  const BlacsGrid grid(world);
  int factorizations = 0, subproblems = 0;
  for (const Case& c : cases()) {
    const Matrix h = with_spectrum(c.eigenvalues);
    const Exact exact = exact_solution(h, c.gradient, c.radius);
    DistMatrix a(grid, h.rows(), h.cols(), 8);
    a.set_entries([&](Index i, Index j) { return h(i, j); });
    DampedSystem system(a, DampingOptions{}, 8);
    system.reset();
    const SubproblemSolution s = solve_trust_region_subproblem(system, c.gradient, c.radius, 0.0);
    // Moré & Sorensen: with |s| within sigma of the radius the decrease is within (1 - sigma)^2.
    EXPECT_ALL_RANKS(model(h, c.gradient, s.step) <= 0.81 * model(h, c.gradient, exact.step));
    EXPECT_ALL_RANKS(s.step.norm() <= c.radius * (1 + 1e-12));
    factorizations += s.factorizations;
    ++subproblems;
  }
  EXPECT_ALL_RANKS(factorizations <= 5 * subproblems);
  if (world.is_root())
    std::printf("%d factorizations for %d subproblems from lambda = 0 (no warm start)\n", factorizations, subproblems);
}

TEST(DampedSystem, AFailedFactorizationBoundsTheShiftFromBelowAndTheEscalationFollowsIt) {
  const Communicator world;
  const BlacsGrid grid(world);
  Vector eigenvalues(30);
  for (Index i = 0; i < 30; ++i) eigenvalues[i] = static_cast<double>(i) - 7.25;  // smallest -7.25
  const Matrix h = with_spectrum(eigenvalues);
  DistMatrix a(grid, 30, 30, 4);
  a.set_entries([&](Index i, Index j) { return h(i, j); });
  DampedSystem system(a, DampingOptions{}, 8);
  system.reset();
  const Factorization f = system.factor(1.0);
  ASSERT_ALL_RANKS(!f.positive_definite);
  // A valid bound never exceeds the true shift 7.25, and Lanczos brings it close.
  EXPECT_ALL_RANKS(f.lambda_bound <= 7.25 * (1 + 1e-12) && f.lambda_bound >= 7.25 * 0.99);
  Vector g = Vector::Ones(30);
  const DampedSolve solved = system.solve(g, 1.0);
  EXPECT_ALL_RANKS(solved.status == StepStatus::Ok && solved.escalations == 1);
  // Twice the shift plus the damping asked for: -7.25 counts as +7.25, then + 1.
  EXPECT_ALL_RANKS(std::abs(solved.lambda - (2 * 7.25 + 1)) <= 0.2);
}

}  // namespace
}  // namespace hessnet
