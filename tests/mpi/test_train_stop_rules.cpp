// SPDX-License-Identifier: MIT
// Stop rules (goal, min_grad, max_fail with the best model restored, time_limit) stop at the
// right epoch with the reason, on every optimizer; TrustRegion and LevenbergMarquardt resume
// from a checkpoint bit for bit, early-stopping state included; their steps behave as
// documented (trust-region decreases the loss every epoch, trainlm mode too).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

/// A 1-D fit: y = sin(2 x) on [-2, 2] plus noise at 15 training points, and clean
/// validation targets in between, so that the net (37 parameters) overfits after a while.
struct Fit {
  RowMatrix x{15, 1}, y{15, 1}, y_clean{15, 1}, x_valid{30, 1}, y_valid{30, 1};
  Fit() {
    for (Index s = 0; s < 15; ++s) {
      x(s, 0) = -2 + 4.0 * static_cast<double>(s) / 14;
      y_clean(s, 0) = std::sin(2 * x(s, 0));
      y(s, 0) = y_clean(s, 0) + 0.3 * std::cos(17.0 * static_cast<double>(s));
    }
    for (Index s = 0; s < 30; ++s) {
      x_valid(s, 0) = -2 + 4.0 * (static_cast<double>(s) + 0.5) / 30;
      y_valid(s, 0) = std::sin(2 * x_valid(s, 0));
    }
  }
};

const Architecture k_net = Input(1) >> Tanh(12) >> Linear(1);

TEST(StopRules, GoalStopsAfterTheFirstEpochWhoseLossReachesIt) {
  const Fit d;
  TrustRegion full(k_net, {.seed = 1});
  full.train(d.x, d.y, 40);
  const double goal = full.errors.train[14];  // reached first at epoch 15 (the loss decreases)
  TrustRegion stopped(k_net, {.seed = 1, .goal = goal});
  stopped.train(d.x, d.y, 40);
  EXPECT_ALL_RANKS(stopped.last_epoch == 15 && stopped.stopped() && stopped.stop_reason() == "goal");
  EXPECT_ALL_RANKS(stopped.errors.train.back() <= goal);
}

TEST(StopRules, MinGradStopsAfterTheFirstEpochWhoseGradientIsSmallEnough) {
  const Fit d;
  std::vector<double> norms;
  LevenbergMarquardtOptions o{.mu = 0.001, .mu_update_factor = 10, .retry = true, .seed = 2};
  o.signals.update_end = [&](const UpdateEnd& e) { norms.push_back(e.report.gradient_norm); };
  LevenbergMarquardt full(k_net, o);
  full.train(d.x, d.y, 30);
  int expected = 0;
  const double threshold = norms[19];
  for (std::size_t e = 0; e < norms.size() && expected == 0; ++e)
    if (norms[e] <= threshold) expected = static_cast<int>(e) + 1;
  o.signals = {};
  o.min_grad = threshold;
  LevenbergMarquardt stopped(k_net, o);
  stopped.train(d.x, d.y, 30);
  EXPECT_ALL_RANKS(stopped.last_epoch == expected && stopped.stop_reason() == "min_grad");
}

TEST(StopRules, MaxFailStopsAfterKEpochsWithoutABetterValidationLossAndRestoresTheBestModel) {
  const Fit d;
  std::vector<Vector> after;  // parameters after each epoch
  HessianOptions o{.penalty_const = 1e-4, .seed = 3, .adaptive = true};
  o.signals.epoch_end = [&](const EpochEvent& e) { after.push_back(e.optimizer.network().parameters()); };
  Hessian full(k_net, o);
  full.train(d.x, d.y, d.x_valid, d.y_valid, 60);
  // Where early stopping with K = 3 must stop, from the unstopped run's validation losses.
  const int k = 3;
  int best = 0, stop = 0;
  for (int e = 1; e <= 60 && stop == 0; ++e) {
    if (best == 0 || full.errors.valid[e - 1] < full.errors.valid[best - 1])
      best = e;
    else if (e - best >= k)
      stop = e;
  }
  ASSERT_ALL_RANKS(stop > 0);  // the noisy validation set makes it overfit
  after.clear();
  o.max_fail = k;
  Hessian stopped(k_net, o);
  stopped.train(d.x, d.y, d.x_valid, d.y_valid, 60);
  EXPECT_ALL_RANKS(stopped.last_epoch == stop && stopped.stop_reason() == "max_fail");
  EXPECT_ALL_RANKS(stopped.best_epoch() == best);
  EXPECT_ALL_RANKS(stopped.network().parameters() == after[static_cast<std::size_t>(best - 1)]);
}

TEST(StopRules, MaxFailWithoutValidationDataIsRefusedNotIgnored) {
  const Fit d;
  Hessian optimizer(k_net, {.max_fail = 3});
  std::string message;
  try {
    optimizer.train(d.x, d.y, 5);
  } catch (const InvalidArgument& e) {
    message = e.what();
  }
  EXPECT_ALL_RANKS(message.find("max_fail needs validation data") != std::string::npos);
  EXPECT_ALL_RANKS(optimizer.last_epoch == 0);
}

TEST(StopRules, TimeLimitStopsAfterTheEpochThatPassesIt) {
  const Fit d;
  HessianDiagonal optimizer(k_net, {.seed = 4, .time_limit = 1e-9});
  optimizer.train(d.x, d.y, 10);
  EXPECT_ALL_RANKS(optimizer.last_epoch == 1 && optimizer.stop_reason() == "time_limit");
}

TEST(StopRules, AllEpochsRunReportEpochsAsTheReason) {
  const Fit d;
  Hessian optimizer(k_net, {.seed = 5});
  optimizer.train(d.x, d.y, 3);
  EXPECT_ALL_RANKS(!optimizer.stopped() && optimizer.stop_reason() == "epochs");
}

TEST(TrustRegion, LowersTheLossEveryEpochAndUsesFewFactorizations) {
  const Fit d;
  int factorizations = 0;
  TrustRegionOptions o{.seed = 6};
  o.signals.update_end = [&](const UpdateEnd& e) { factorizations += e.report.factorizations; };
  TrustRegion optimizer(k_net, o);
  optimizer.train(d.x, d.y_clean, 50);
  bool decreasing = true;
  for (std::size_t e = 1; e < optimizer.errors.train.size(); ++e)
    decreasing = decreasing && optimizer.errors.train[e] <= optimizer.errors.train[e - 1];
  EXPECT_ALL_RANKS(decreasing);
  EXPECT_ALL_RANKS(optimizer.errors.train.back() < 1e-3 * optimizer.errors.train.front());
  EXPECT_ALL_RANKS(factorizations <= 6 * 50);
}

/// 10 epochs against 5, a checkpoint, a fresh optimizer and 5 more: equal bit for bit.
template <class Optimizer, class Options>
void expect_exact_resume(const Options& options) {
  const Fit d;
  Optimizer full(k_net, options);
  full.train(d.x, d.y, d.x_valid, d.y_valid, 10);
  Optimizer first(k_net, options);
  first.train(d.x, d.y, d.x_valid, d.y_valid, 5);
  const Checkpoint c = checkpoint_from_json(checkpoint_to_json(first.checkpoint()), "the checkpoint");
  Optimizer second(Network::he_normal(k_net, 99), options);
  second.restore(c);
  second.train(d.x, d.y, d.x_valid, d.y_valid, 5);
  EXPECT_ALL_RANKS(second.network().parameters() == full.network().parameters());
  EXPECT_ALL_RANKS(second.errors.train == full.errors.train && second.errors.valid == full.errors.valid);
  EXPECT_ALL_RANKS(second.checkpoint().rule_state == full.checkpoint().rule_state);
  EXPECT_ALL_RANKS(second.best_epoch() == full.best_epoch());
}

TEST(TrustRegion, ResumesFromACheckpointBitForBitWithItsRadiusAndEarlyStoppingState) {
  expect_exact_resume<TrustRegion>(TrustRegionOptions{.initial_radius = 0.5, .seed = 7, .max_fail = 20});
}

TEST(LevenbergMarquardt, ResumesFromACheckpointBitForBitInNeupysAndInTrainlmsMode) {
  expect_exact_resume<LevenbergMarquardt>(LevenbergMarquardtOptions{.seed = 8, .max_fail = 20});
  expect_exact_resume<LevenbergMarquardt>(
      LevenbergMarquardtOptions{.mu = 0.001, .mu_update_factor = 10, .retry = true, .seed = 8, .max_fail = 20});
}

TEST(LevenbergMarquardt, TrainlmModeNeverRaisesTheLossAndMuFollowsItsRule) {
  const Fit d;
  std::vector<double> mus;
  LevenbergMarquardtOptions o{.mu = 0.001, .mu_update_factor = 10, .retry = true, .seed = 9};
  o.signals.update_end = [&](const UpdateEnd& e) { mus.push_back(e.report.rule_state.at("mu")); };
  LevenbergMarquardt optimizer(k_net, o);
  optimizer.train(d.x, d.y, 20);
  bool decreasing = true, powers_of_ten = true;
  for (std::size_t e = 1; e < optimizer.errors.train.size(); ++e)
    decreasing = decreasing && optimizer.errors.train[e] < optimizer.errors.train[e - 1];
  for (const double mu : mus)
    powers_of_ten = powers_of_ten && std::abs(std::log10(mu) - std::round(std::log10(mu))) < 1e-9;
  EXPECT_ALL_RANKS(decreasing && powers_of_ten);
}

TEST(Options, BadTrustRegionAndLevenbergMarquardtOptionsAreRejectedNamingTheOption) {
  const auto message = [](auto make) {
    try {
      make();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_ALL_RANKS(message([] { TrustRegion t(k_net, {.initial_radius = 0}); }).find("initial_radius") !=
                   std::string::npos);
  EXPECT_ALL_RANKS(message([] { TrustRegion t(k_net, {.eta = 0.5}); }).find("eta") != std::string::npos);
  EXPECT_ALL_RANKS(message([] { LevenbergMarquardt l(k_net, {.mu_update_factor = 1}); }).find("mu_update_factor") !=
                   std::string::npos);
  EXPECT_ALL_RANKS(message([] { Hessian h(k_net, {.max_fail = -1}); }).find("max_fail") != std::string::npos);
  EXPECT_ALL_RANKS(message([] { Hessian h(k_net, {.min_grad = -1}); }).find("min_grad") != std::string::npos);
}

}  // namespace
}  // namespace hessnet
