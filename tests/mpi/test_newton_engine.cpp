// SPDX-License-Identifier: MIT
// The distributed engine reproduces the single-process exact Hessian and Newton step on
// any rank count, grid and block size, and never applies a NaN step.
#include <gtest/gtest.h>

#include <Eigen/Cholesky>

#include <cmath>
#include <limits>
#include <string>

#include "finite_difference.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/io/shard.hpp"
#include "hessnet/solver/newton_engine.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

/// MPI_COMM_WORLD (a function: MPI is not initialised during static initialisation).
Communicator world() { return Communicator::world(); }

using testing::Problem;

Problem softmax_problem() {
  return {Network::he_normal(Input(4) >> Tanh(6) >> Sigmoid(5, false) >> Softmax(3), 7), testing::random_matrix(41, 4, 1),
          testing::random_one_hot(41, 3, 2), Loss::named("categorical_crossentropy"), Regularizer::parse("l2:0.01")};
}

Problem root_loss_problem() {
  return {Network::he_normal(Input(3) >> Elu(5) >> Linear(2), 3), testing::random_matrix(29, 3, 4),
          testing::random_matrix(29, 2, 5), Loss::named("rmse"), Regularizer::parse("l2:0.1:all")};
}

std::string grid_text(GridShape g) { return std::to_string(g.nprow) + "x" + std::to_string(g.npcol); }

EngineOptions options_for(GridShape grid, Index nb, Index panel_width) {
  EngineOptions o;
  o.grid = grid_text(grid);
  o.block_size = nb;
  o.assembly.panel_width = panel_width;
  return o;
}

TEST(NewtonEngine, AssembledSymmetricHessianEqualsTheSingleRankExactHessianOnEveryGridAndBlockSize) {
  for (const Problem& p : {softmax_problem(), root_loss_problem()}) {
    const Matrix reference = p.dense().hessian;
    const Shard shard = p.shard();
    for (const GridShape grid : testing::test_grid_shapes(world().size())) {
      for (const Index nb : {Index{3}, Index{7}, Index{64}}) {
        NewtonEngine engine(world(), p.net.n_params(), options_for(grid, nb, 11));
        engine.evaluate(p.net, p.loss, p.regularizer, shard);
        const Matrix h = engine.hessian().gather_to_root();
        double error = 0;
        if (world().is_root()) error = h == h.transpose() ? testing::relative_error(h, reference) : 1.0 + (h - h.transpose()).cwiseAbs().maxCoeff();
        EXPECT_ALL_RANKS(error <= 1e-12);
      }
    }
  }
}

TEST(NewtonEngine, OneNewtonStepGivesTheSameParametersAsTheDenseSolve) {
  const Problem p = softmax_problem();
  const DenseDerivatives d = p.dense();
  const double lambda = 1.0;
  Matrix damped = d.hessian;
  damped.diagonal().array() += lambda;
  const Eigen::LLT<Matrix> llt(damped);
  ASSERT_EQ(llt.info(), Eigen::Success);
  const Vector expected = p.net.parameters() - llt.solve(d.gradient);
  for (const GridShape grid : testing::test_grid_shapes(world().size())) {
    Network net = p.net;
    NewtonEngine engine(world(), net.n_params(), options_for(grid, 5, 16));
    const UpdateReport report = engine.update(net, p.loss, p.regularizer, p.shard(), lambda);
    ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
    EXPECT_ALL_RANKS(report.escalations == 0);
    EXPECT_ALL_RANKS(std::abs(report.loss - d.loss) <= 1e-13 * std::abs(d.loss));
    EXPECT_ALL_RANKS((net.parameters() - expected).norm() <= 1e-10 * expected.norm());
  }
}

TEST(NewtonEngine, SolutionHasAScaledResidualOfAFewUlps) {
  const Problem p = root_loss_problem();
  const DenseDerivatives d = p.dense();
  Network net = p.net;
  NewtonEngine engine(world(), net.n_params(), options_for(choose_grid(world().size()), 4, 8));
  const UpdateReport report = engine.update(net, p.loss, p.regularizer, p.shard(), 0.5);
  ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
  const Vector x = p.net.parameters() - net.parameters();
  Matrix a = d.hessian;
  a.diagonal().array() += report.lambda;
  // ||(H + lambda I) x - g||_1 / (||H + lambda I||_1 ||x||_1 N) <= 10 eps
  const double scaled = (a * x - d.gradient).lpNorm<1>() /
                        (a.cwiseAbs().colwise().sum().maxCoeff() * x.lpNorm<1>() * static_cast<double>(x.size()));
  EXPECT_ALL_RANKS(scaled <= 10 * std::numeric_limits<double>::epsilon());
}

TEST(NewtonEngine, IndefiniteStartRaisesTheDampingAndTrainsWithoutNaN) {
  // A 3-4-3-2 tanh net at random initialisation: H + I is not positive definite.
  Problem p{Network::he_normal(Input(3) >> Tanh(4) >> Tanh(3) >> Linear(2), 12), testing::random_matrix(30, 3, 8),
            testing::random_matrix(30, 2, 9, -3, 3), Loss::named("mse"), Regularizer{}};
  Matrix damped = p.dense().hessian;
  damped.diagonal().array() += 1.0;
  ASSERT_ALL_RANKS(Eigen::LLT<Matrix>(damped).info() != Eigen::Success);
  NewtonEngine engine(world(), p.net.n_params(), options_for(choose_grid(world().size()), 4, 8));
  int escalations = 0;
  double first = 0, last = 0;
  for (int epoch = 0; epoch < 15; ++epoch) {
    const UpdateReport report = engine.update(p.net, p.loss, p.regularizer, p.shard(), 1.0);
    ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
    ASSERT_ALL_RANKS(p.net.parameters().allFinite() && std::isfinite(report.loss));
    escalations += report.escalations;
    (epoch == 0 ? first : last) = report.loss;
  }
  EXPECT_ALL_RANKS(escalations > 0);
  EXPECT_ALL_RANKS(last < first);
}

TEST(NewtonEngine, AdaptiveModeNeverIncreasesTheLoss) {
  Problem p = softmax_problem();
  EngineOptions o = options_for(choose_grid(world().size()), 8, 32);
  o.adaptive = true;
  NewtonEngine engine(world(), p.net.n_params(), o);
  double previous = std::numeric_limits<double>::infinity();
  for (int epoch = 0; epoch < 6; ++epoch) {
    const UpdateReport report = engine.update(p.net, p.loss, p.regularizer, p.shard(), 1.0);
    ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
    EXPECT_ALL_RANKS(report.loss <= previous);
    previous = report.loss;
  }
}

TEST(NewtonEngine, RefusesAPlanLargerThanTheMemoryOfTheNode) {
  bool refused = false;
  std::string message;
  try {
    NewtonEngine engine(world(), Index{3'000'000}, EngineOptions{});  // 72 TB of Hessian
  } catch (const CollectiveError& e) {
    refused = true;
    message = e.what();
  }
  EXPECT_ALL_RANKS(refused);
  EXPECT_ALL_RANKS(message.find("GiB per rank") != std::string::npos);
}

TEST(NewtonEngine, NonFiniteGradientIsReportedAndNoStepIsApplied) {
  // rmse at an exact fit has an infinite r'(0): the step must be refused, not applied.
  Problem p{Network(Input(2) >> Linear(1)), testing::random_matrix(9, 2, 3), RowMatrix::Zero(9, 1),
            Loss::named("rmse"), Regularizer{}};
  const Vector before = p.net.parameters();
  NewtonEngine engine(world(), p.net.n_params(), options_for(choose_grid(world().size()), 2, 4));
  const UpdateReport report = engine.update(p.net, p.loss, p.regularizer, p.shard(), 1.0);
  EXPECT_ALL_RANKS(report.status == StepStatus::NonFinite);
  EXPECT_ALL_RANKS(p.net.parameters() == before);
}

}  // namespace
}  // namespace hessnet
