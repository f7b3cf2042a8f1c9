// SPDX-License-Identifier: MIT
// HessianOptions::log_curvature: the smallest eigenvalue of the exact Hessian before each
// update, computed in place from the lower triangle while the damped solve starts from the
// upper one. Checks that pdsyev('L') leaves the strict upper triangle alone, that the logged
// value is the dense Hessian's, and that the Newton steps do not change.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/dist/eigensolver.hpp"
#include "hessnet/io/shard.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

Communicator world() { return Communicator::world(); }

std::string grid_text(GridShape g) { return std::to_string(g.nprow) + "x" + std::to_string(g.npcol); }

/// A symmetric entry of every sign and size, spread over the matrix (the lower triangle).
double lower_entry(Index i, Index j) {
  const auto a = static_cast<double>(std::max(i, j)), b = static_cast<double>(std::min(i, j));
  return std::sin(0.7 * a + 1.3 * b) + (i == j ? 0.1 * a : 0.0);
}

/// A distinct value per strict-upper entry, so any write there shows.
double upper_sentinel(Index i, Index j) { return 1e6 + static_cast<double>(i) * 1e3 + static_cast<double>(j); }

TEST(SymmetricEigenvaluesLower, LeavesTheStrictUpperTriangleUntouchedOnEveryGridBlockSizeAndScale) {
  // pdsyev scales a matrix whose largest entry is below ~1e-146 or above ~8e76 (pdlascl);
  // the scales below take that path too.
  for (const GridShape shape : testing::test_grid_shapes(world().size())) {
    const BlacsGrid grid(world(), shape);
    for (const Index n : {Index{1}, Index{5}, Index{37}, Index{70}}) {
      for (const Index nb : {Index{1}, Index{4}, Index{7}, Index{64}}) {
        for (const double scale : {1.0, 1e-150, 1e80}) {
          DistMatrix a(grid, n, n, nb);
          a.set_entries([&](Index i, Index j) { return i < j ? upper_sentinel(i, j) : scale * lower_entry(i, j); });
          (void)symmetric_eigenvalues(a);
          bool untouched = true;
          for (Index lj = 0; lj < a.local_cols(); ++lj)
            for (Index li = 0; li < a.local_rows(); ++li) {
              const Index i = a.global_row(li), j = a.global_col(lj);
              if (i < j) untouched = untouched && a.local(li, lj) == upper_sentinel(i, j);
            }
          EXPECT_ALL_RANKS(untouched);
          if (!untouched)
            ADD_FAILURE() << "grid " << grid_text(shape) << " n " << n << " nb " << nb << " scale " << scale;
        }
      }
    }
  }
}

using testing::Problem;

/// Indefinite at the start (H + I is not positive definite): damping escalates, so the
/// solve retries from the upper triangle, copied back before each factorization.
Problem indefinite_problem() {
  return {Network::he_normal(Input(3) >> Tanh(4) >> Tanh(3) >> Linear(2), 12), testing::random_matrix(30, 3, 8),
          testing::random_matrix(30, 2, 9, -3, 3), Loss::named("mse"), Regularizer{}};
}

Problem softmax_problem() {
  return {Network::he_normal(Input(4) >> Tanh(6) >> Sigmoid(5, false) >> Softmax(3), 7),
          testing::random_matrix(41, 4, 1), testing::random_one_hot(41, 3, 2), Loss::named("categorical_crossentropy"),
          Regularizer::parse("l2:0.01")};
}

HessianOptions options_for(GridShape grid, Index nb, bool curvature) {
  HessianOptions o;
  o.layout.grid = grid_text(grid);
  o.layout.block_size = nb;
  o.layout.assembly.panel_width = 8;
  o.log_curvature = curvature;
  return o;
}

TEST(HessianCurvature, LoggedMinimumEigenvalueIsTheDenseHessiansOnEveryGrid) {
  double worst = 0;
  for (const Problem& p : {indefinite_problem(), softmax_problem()}) {
    for (const GridShape grid : testing::test_grid_shapes(world().size())) {
      for (const Index nb : {Index{3}, Index{16}}) {
        testing::HessianStepper stepper(p, options_for(grid, nb, true));
        for (int epoch = 0; epoch < 4; ++epoch) {
          const Matrix dense = dense_derivatives(stepper.net(), p.loss, p.regularizer, p.x, p.y).hessian;
          const Vector want = Eigen::SelfAdjointEigenSolver<Matrix>(dense, Eigen::EigenvaluesOnly).eigenvalues();
          const UpdateReport report = stepper.step();
          ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
          const double error = std::abs(report.min_eigenvalue - want(0)) / std::abs(want(0));
          worst = std::max(worst, error);
          EXPECT_ALL_RANKS(error <= 1e-9);
          EXPECT_ALL_RANKS(allreduce_max(world(), report.min_eigenvalue) ==
                           allreduce_min(world(), report.min_eigenvalue));
        }
      }
    }
  }
  if (world().is_root()) std::printf("largest relative error of min_eigenvalue: %.3g\n", worst);
}

TEST(HessianCurvature, NewtonStepsAreTheSameWithTheOptionOnAndOff) {
  double worst = 0;
  int escalations = 0;
  for (const Problem& start : {indefinite_problem(), softmax_problem()}) {
    for (const GridShape grid : testing::test_grid_shapes(world().size())) {
      testing::HessianStepper plain(start, options_for(grid, 4, false));
      testing::HessianStepper curious(start, options_for(grid, 4, true));
      for (int epoch = 0; epoch < 8; ++epoch) {
        const UpdateReport a = plain.step();
        const UpdateReport b = curious.step();
        ASSERT_ALL_RANKS(a.status == StepStatus::Ok && b.status == StepStatus::Ok);
        EXPECT_ALL_RANKS(std::isnan(a.min_eigenvalue) && std::isfinite(b.min_eigenvalue));
        EXPECT_ALL_RANKS(a.lambda == b.lambda && a.escalations == b.escalations);
        escalations += a.escalations;
        const Vector& off = plain.net().parameters();
        const double difference = (off - curious.net().parameters()).cwiseAbs().maxCoeff() / off.cwiseAbs().maxCoeff();
        worst = std::max(worst, difference);
        EXPECT_ALL_RANKS(difference <= 1e-12);
      }
    }
  }
  EXPECT_ALL_RANKS(escalations > 0);  // the retry paths were taken too
  if (world().is_root()) std::printf("largest relative parameter difference, curvature on vs off: %.3g\n", worst);
}

TEST(HessianCurvature, NonFiniteGradientGivesNanCurvatureAndNoStep) {
  Problem p{Network(Input(2) >> Linear(1)), testing::random_matrix(9, 2, 3), RowMatrix::Zero(9, 1), Loss::named("rmse"),
            Regularizer{}};
  testing::HessianStepper stepper(p, options_for(choose_grid(world().size()), 2, true));
  const UpdateReport report = stepper.step();
  EXPECT_ALL_RANKS(report.status == StepStatus::NonFinite);
  EXPECT_ALL_RANKS(std::isnan(report.min_eigenvalue));
  EXPECT_ALL_RANKS(stepper.net().parameters() == p.net.parameters());
}

}  // namespace
}  // namespace hessnet
