// SPDX-License-Identifier: MIT
// Eigenvalues of distributed symmetric matrices: known spectra, and the exact Hessian of a
// small network against Eigen's dense solver, on every grid the rank count allows.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/eigensolver.hpp"
#include "hessnet/dist/scalapack_error.hpp"
#include "hessnet/io/shard.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

/// Largest |got - want| / max|want| (infinity on a length mismatch or NaN).
double spectrum_error(const std::vector<double>& got, const Vector& want) {
  if (static_cast<Index>(got.size()) != want.size()) return std::numeric_limits<double>::infinity();
  const double scale = std::max(want.cwiseAbs().maxCoeff(), 1e-300);
  double worst = 0.0;
  for (Index k = 0; k < want.size(); ++k) {
    const double e = std::abs(got[static_cast<std::size_t>(k)] - want(k)) / scale;
    worst = std::isnan(e) ? std::numeric_limits<double>::infinity() : std::max(worst, e);
  }
  return worst;
}

/// True when every rank holds bitwise the same values.
bool replicated(const std::vector<double>& values) {
  const Communicator world;
  bool same = true;
  for (const double v : values) same = same && allreduce_max(world, v) == allreduce_min(world, v);
  return same;
}

/// A = Q diag(lambda) Q^T with the Householder reflector Q = I - 2 v v^T / (v^T v), entry by
/// entry in closed form, so its spectrum is exactly `lambda`. Upper entries are NaN: the
/// solver must read the lower triangle only.
double householder_entry(const Vector& lambda, Index i, Index j) {
  if (i < j) return k_nan;
  const Index n = lambda.size();
  Vector v(n);
  for (Index k = 0; k < n; ++k) v(k) = 1.0 + 0.5 * std::sin(1.7 * static_cast<double>(k));
  const double c = 2.0 / v.squaredNorm();
  const double vdv = v.dot(lambda.cwiseProduct(v));
  return (i == j ? lambda(i) : 0.0) - c * v(i) * v(j) * (lambda(i) + lambda(j)) + c * c * vdv * v(i) * v(j);
}

/// Negative, zero, repeated and positive eigenvalues spread over six orders of magnitude.
Vector known_spectrum(Index n) {
  Vector lambda(n);
  for (Index k = 0; k < n; ++k) lambda(k) = std::pow(10.0, static_cast<double>(k % 7) - 3.0);
  for (Index k = 0; k < n; k += 3) lambda(k) = -lambda(k);
  if (n > 2) lambda(2) = 0.0;
  std::sort(lambda.data(), lambda.data() + n);
  return lambda;
}

TEST(SymmetricEigenvalues, KnownSpectrumIsFoundOnEveryGridAndBlockSize) {
  const Communicator world;
  for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
    const BlacsGrid grid(world, shape);
    for (const Index n : {Index{1}, Index{5}, Index{37}}) {
      const Vector lambda = known_spectrum(n);
      for (const Index nb : {Index{1}, Index{4}, Index{7}, Index{64}}) {
        DistMatrix a(grid, n, n, nb);
        a.set_entries([&](Index i, Index j) { return householder_entry(lambda, i, j); });
        const std::vector<double> got = symmetric_eigenvalues(a);
        const double error = spectrum_error(got, lambda);
        EXPECT_ALL_RANKS(error <= 1e-12);
        EXPECT_ALL_RANKS(std::is_sorted(got.begin(), got.end()));
        EXPECT_ALL_RANKS(replicated(got));
        if (error > 1e-12) {
          ADD_FAILURE() << "grid " << shape.nprow << "x" << shape.npcol << " n " << n << " nb " << nb << " error "
                        << error;
        }
      }
    }
  }
}

struct Problem {
  std::string name;
  Network net;
  Loss loss;
  Regularizer regularizer;
  RowMatrix inputs, targets;
};

std::vector<Problem> problems() {
  std::vector<Problem> all;
  const Index samples = 23;
  // N = 5*5 + 6*3 = 43 parameters: no block size below divides it.
  Network classifier = Network::he_normal(Input(4) >> Sigmoid(5) >> Softmax(3), 5);
  all.push_back({"softmax + crossentropy + l2", classifier, Loss::named("categorical_crossentropy"),
                 Regularizer::parse("l2:0.01"), testing::random_matrix(samples, 4, 6),
                 testing::random_one_hot(samples, 3, 7)});
  Network regressor = Network::he_normal(Input(3) >> Tanh(6) >> Linear(2), 8);
  all.push_back({"tanh + rmse", regressor, Loss::named("rmse"), Regularizer{}, testing::random_matrix(samples, 3, 9),
                 testing::random_matrix(samples, 2, 10)});
  return all;
}

TEST(SymmetricEigenvalues, ExactHessianSpectrumMatchesEigenOnTheDenseHessian) {
  const Communicator world;
  for (const Problem& p : problems()) {
    const Matrix dense = dense_derivatives(p.net, p.loss, p.regularizer, p.inputs, p.targets).hessian;
    const Vector want = Eigen::SelfAdjointEigenSolver<Matrix>(dense, Eigen::EigenvaluesOnly).eigenvalues();
    DistributedObjective objective(world, p.net, p.loss, p.regularizer, shard_of(world, p.inputs, p.targets));
    for (const GridShape& shape : testing::test_grid_shapes(world.size())) {
      const BlacsGrid grid(world, shape);
      for (const Index nb : {Index{4}, Index{7}, Index{16}}) {
        DistMatrix h(grid, p.net.n_params(), p.net.n_params(), nb);
        objective.hessian(p.net.parameters(), h, AssemblyOptions{});
        const std::vector<double> got = symmetric_eigenvalues(h);
        const double error = spectrum_error(got, want);
        EXPECT_ALL_RANKS(error <= 1e-10);
        EXPECT_ALL_RANKS(replicated(got));
        if (error > 1e-10) {
          ADD_FAILURE() << p.name << ": grid " << shape.nprow << "x" << shape.npcol << " nb " << nb << " error "
                        << error;
        }
      }
    }
  }
}

TEST(SymmetricEigenvalues, CopyVariantLeavesTheMatrixUnchanged) {
  const Communicator world;
  const BlacsGrid grid(world);
  const Vector lambda = known_spectrum(19);
  DistMatrix a(grid, 19, 19, 4);
  a.set_entries([&](Index i, Index j) { return i < j ? -1.0 : householder_entry(lambda, i, j); });
  const DistMatrix before = a;
  const std::vector<double> got = symmetric_eigenvalues_of_copy(a);
  EXPECT_ALL_RANKS(spectrum_error(got, lambda) <= 1e-12);
  bool unchanged = true;
  for (Index lj = 0; lj < a.local_cols(); ++lj)
    for (Index li = 0; li < a.local_rows(); ++li) unchanged = unchanged && a.local(li, lj) == before.local(li, lj);
  EXPECT_ALL_RANKS(unchanged);
  const double smallest = smallest_eigenvalue(a);
  EXPECT_ALL_RANKS(std::abs(smallest - lambda(0)) <= 1e-12 * lambda.cwiseAbs().maxCoeff());
}

TEST(SymmetricEigenvalues, EmptyMatrixHasNoEigenvaluesAndNanMinimum) {
  const Communicator world;
  const BlacsGrid grid(world);
  DistMatrix empty(grid, 0, 0, 8);
  EXPECT_ALL_RANKS(symmetric_eigenvalues(empty).empty());
  EXPECT_ALL_RANKS(std::isnan(smallest_eigenvalue(empty)));
}

TEST(SymmetricEigenvalues, NonSquareMatrixThrowsOnEveryRank) {
  const Communicator world;
  const BlacsGrid grid(world);
  DistMatrix a(grid, 6, 5, 2);
  bool threw = false;
  try {
    symmetric_eigenvalues(a);
  } catch (const DimensionMismatch&) {
    threw = true;
  }
  EXPECT_ALL_RANKS(threw);
}

}  // namespace
}  // namespace hessnet
