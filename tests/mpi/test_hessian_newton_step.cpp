// SPDX-License-Identifier: MIT
// The distributed objective and the Hessian optimizer reproduce the single-process exact
// Hessian and Newton step on any rank count, grid and block size, and never apply a NaN step.
#include <gtest/gtest.h>

#include <Eigen/Cholesky>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/core/parallel.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/hessian_storage.hpp"
#include "hessnet/dist/memory_plan.hpp"
#include "hessnet/io/shard.hpp"
#include "hessnet/train/hessian.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

/// MPI_COMM_WORLD (a function: MPI is not initialised during static initialisation).
Communicator world() { return Communicator::world(); }

using testing::Problem;

Problem softmax_problem() {
  return {Network::he_normal(Input(4) >> Tanh(6) >> Sigmoid(5, false) >> Softmax(3), 7),
          testing::random_matrix(41, 4, 1), testing::random_one_hot(41, 3, 2), Loss::named("categorical_crossentropy"),
          Regularizer::parse("l2:0.01")};
}

Problem root_loss_problem() {
  return {Network::he_normal(Input(3) >> Elu(5) >> Linear(2), 3), testing::random_matrix(29, 3, 4),
          testing::random_matrix(29, 2, 5), Loss::named("rmse"), Regularizer::parse("l2:0.1:all")};
}

std::string grid_text(GridShape g) { return std::to_string(g.nprow) + "x" + std::to_string(g.npcol); }

HessianOptions options_for(GridShape grid, Index nb, Index panel_width) {
  HessianOptions o;
  o.layout.grid = grid_text(grid);
  o.layout.block_size = nb;
  o.layout.assembly.panel_width = panel_width;
  return o;
}

/// `epochs` updates of a Hessian optimizer with `options` on the problem, which then holds
/// the trained network; the reports of the updates, up to the first that is not Ok.
std::vector<UpdateReport> newton_updates(Problem& p, const HessianOptions& options, int epochs) {
  testing::HessianStepper stepper(p, options);
  std::vector<UpdateReport> reports;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    reports.push_back(stepper.step());
    if (reports.back().status != StepStatus::Ok) break;
  }
  p.net = stepper.net();
  return reports;
}

TEST(DistributedObjective, AssembledSymmetricHessianEqualsTheSingleRankExactHessianOnEveryGridAndBlockSize) {
  for (const Problem& p : {softmax_problem(), root_loss_problem()}) {
    const Matrix reference = p.dense().hessian;
    DistributedObjective objective(world(), p.net, p.loss, p.regularizer, p.shard());
    for (const bool overlap : {false, true}) {
      const AssemblyOptions assembly{.panel_width = 11, .overlap = overlap};
      for (const GridShape grid : testing::test_grid_shapes(world().size())) {
        for (const Index nb : {Index{3}, Index{7}, Index{64}}) {
          HessianStorage storage(world(), p.net.n_params(), grid, nb, assembly);
          objective.hessian(p.net.parameters(), storage.matrix(), assembly);
          const Matrix h = storage.matrix().gather_to_root();
          double error = 0;
          if (world().is_root())
            error = h == h.transpose() ? testing::relative_error(h, reference)
                                       : 1.0 + (h - h.transpose()).cwiseAbs().maxCoeff();
          EXPECT_ALL_RANKS(error <= 1e-12);
        }
      }
    }
  }
}

TEST(DistributedObjective, RanksPlacedWithDifferentThreadCountsAgreeOnPanelsAndAssembleTheSameHessian) {
  // Ranks on unevenly filled nodes run different thread counts, so different sample shares:
  // the panel widths and the plan must still agree (with_agreed_shares), and H not change.
  const Problem p = softmax_problem();
  const Matrix reference = p.dense().hessian;
  const int placed = share_threads();
  set_share_threads(1 + 2 * world().rank());
  const AssemblyOptions assembly{};  // automatic widths: they depend on the planned shares
  EXPECT_ALL_RANKS(with_agreed_shares(world(), assembly).kernel.sample_splits == 1 + 2 * (world().size() - 1));
  DistributedObjective objective(world(), p.net, p.loss, p.regularizer, p.shard());
  HessianStorage storage(world(), p.net.n_params(), testing::test_grid_shapes(world().size()).front(), 4, assembly);
  objective.hessian(p.net.parameters(), storage.matrix(), assembly);
  const Matrix h = storage.matrix().gather_to_root();
  set_share_threads(placed);
  EXPECT_ALL_RANKS(!world().is_root() || testing::relative_error(h, reference) <= 1e-12);
}

TEST(HessianUpdate, OneNewtonStepGivesTheSameParametersAsTheDenseSolve) {
  const Problem p = softmax_problem();
  const DenseDerivatives d = p.dense();
  const double lambda = 1.0;
  Matrix damped = d.hessian;
  damped.diagonal().array() += lambda;
  const Eigen::LLT<Matrix> llt(damped);
  ASSERT_EQ(llt.info(), Eigen::Success);
  const Vector expected = p.net.parameters() - llt.solve(d.gradient);
  for (const GridShape grid : testing::test_grid_shapes(world().size())) {
    Problem q = p;
    HessianOptions o = options_for(grid, 5, 16);
    o.penalty_const = lambda;
    const std::vector<UpdateReport> reports = newton_updates(q, o, 1);
    ASSERT_ALL_RANKS(reports.size() == 1 && reports[0].status == StepStatus::Ok);
    const UpdateReport& report = reports[0];
    EXPECT_ALL_RANKS(report.escalations == 0 && report.factorizations == 1);
    EXPECT_ALL_RANKS(std::abs(report.loss - d.loss) <= 1e-13 * std::abs(d.loss));
    EXPECT_ALL_RANKS((q.net.parameters() - expected).norm() <= 1e-10 * expected.norm());
  }
}

TEST(HessianUpdate, SolutionHasAScaledResidualOfAFewUlps) {
  const Problem p = root_loss_problem();
  const DenseDerivatives d = p.dense();
  Problem q = p;
  HessianOptions o = options_for(choose_grid(world().size()), 4, 8);
  o.penalty_const = 0.5;
  const std::vector<UpdateReport> reports = newton_updates(q, o, 1);
  ASSERT_ALL_RANKS(reports.size() == 1 && reports[0].status == StepStatus::Ok);
  const UpdateReport& report = reports[0];
  const Vector x = p.net.parameters() - q.net.parameters();
  Matrix a = d.hessian;
  a.diagonal().array() += report.lambda;
  // ||(H + lambda I) x - g||_1 / (||H + lambda I||_1 ||x||_1 N) <= 10 eps
  const double scaled = (a * x - d.gradient).lpNorm<1>() /
                        (a.cwiseAbs().colwise().sum().maxCoeff() * x.lpNorm<1>() * static_cast<double>(x.size()));
  EXPECT_ALL_RANKS(scaled <= 10 * std::numeric_limits<double>::epsilon());
}

TEST(HessianUpdate, IndefiniteStartRaisesTheDampingAndTrainsWithoutNaN) {
  // A 3-4-3-2 tanh net at random initialisation: H + I is not positive definite.
  Problem p{Network::he_normal(Input(3) >> Tanh(4) >> Tanh(3) >> Linear(2), 12), testing::random_matrix(30, 3, 8),
            testing::random_matrix(30, 2, 9, -3, 3), Loss::named("mse"), Regularizer{}};
  Matrix damped = p.dense().hessian;
  damped.diagonal().array() += 1.0;
  ASSERT_ALL_RANKS(Eigen::LLT<Matrix>(damped).info() != Eigen::Success);
  const std::vector<UpdateReport> reports = newton_updates(p, options_for(choose_grid(world().size()), 4, 8), 15);
  ASSERT_ALL_RANKS(reports.size() == 15);
  int escalations = 0;
  for (const UpdateReport& report : reports) {
    ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
    ASSERT_ALL_RANKS(std::isfinite(report.loss));
    escalations += report.escalations;
  }
  ASSERT_ALL_RANKS(p.net.parameters().allFinite());
  const double first = reports.front().loss, last = reports.back().loss;
  EXPECT_ALL_RANKS(escalations > 0);
  EXPECT_ALL_RANKS(last < first);
}

TEST(HessianUpdate, AdaptiveModeNeverIncreasesTheLoss) {
  Problem p = softmax_problem();
  HessianOptions o = options_for(choose_grid(world().size()), 8, 32);
  o.adaptive = true;
  const std::vector<UpdateReport> reports = newton_updates(p, o, 6);
  ASSERT_ALL_RANKS(reports.size() == 6);
  double previous = std::numeric_limits<double>::infinity();
  for (const UpdateReport& report : reports) {
    ASSERT_ALL_RANKS(report.status == StepStatus::Ok);
    EXPECT_ALL_RANKS(report.loss <= previous);
    previous = report.loss;
  }
}

TEST(HessianStorage, RefusesAPlanLargerThanTheMemoryOfTheNode) {
  bool refused = false;
  std::string message;
  try {
    HessianStorage storage(world(), Index{3'000'000}, choose_grid(world().size()), 128, {});  // 72 TB of Hessian
  } catch (const CollectiveError& e) {
    refused = true;
    message = e.what();
  }
  EXPECT_ALL_RANKS(refused);
  EXPECT_ALL_RANKS(message.find("GiB per rank") != std::string::npos);
}

TEST(HessianUpdate, NonFiniteGradientIsReportedAndNoStepIsApplied) {
  // rmse at an exact fit has an infinite r'(0): the step must be refused, not applied.
  Problem p{Network(Input(2) >> Linear(1)), testing::random_matrix(9, 2, 3), RowMatrix::Zero(9, 1), Loss::named("rmse"),
            Regularizer{}};
  const Vector before = p.net.parameters();
  const std::vector<UpdateReport> reports = newton_updates(p, options_for(choose_grid(world().size()), 2, 4), 1);
  ASSERT_ALL_RANKS(reports.size() == 1);
  EXPECT_ALL_RANKS(reports[0].status == StepStatus::NonFinite);
  EXPECT_ALL_RANKS(p.net.parameters() == before);
}

TEST(HessianUpdate, AnOverflowingLossIsReportedAndNoStepIsAppliedByAnyOptimizer) {
  // Targets of 1e200 give a finite gradient and Hessian but an infinite mse: a step from
  // there would train on a meaningless objective and report success.
  const RowMatrix x = testing::random_matrix(8, 1, 5);
  RowMatrix y = RowMatrix::Ones(8, 1);
  y(3, 0) = 1e200;
  const Architecture net = Input(1) >> Tanh(3) >> Linear(1);
  Hessian hessian(net, {.seed = 1});
  Hessian adaptive(net, {.seed = 1, .adaptive = true});
  TrustRegion trust(net, {.seed = 1});
  LevenbergMarquardt lm(net, {.seed = 1});
  for (Optimizer* o : std::vector<Optimizer*>{&hessian, &adaptive, &trust, &lm}) {
    const Vector before = o->network().parameters();
    o->train(x, y, 3);
    EXPECT_ALL_RANKS(o->n_updates_made == 0 && o->last_epoch == 1 && o->stop_reason() == "update_failed");
    EXPECT_ALL_RANKS(o->stop_message().find("training loss (inf)") != std::string::npos);
    EXPECT_ALL_RANKS(o->network().parameters() == before);
  }
}

}  // namespace
}  // namespace hessnet
