// SPDX-License-Identifier: MIT
// Options of the Hessian optimizer: bad values are refused on every rank, naming the option;
// verbose output has neupy's form and shows the first, every show_epoch-th and the last epoch.
#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "hessnet/train/hessian.hpp"
#include "hessnet/train/progress.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

const Architecture k_net = Input(2) >> Sigmoid(3) >> Sigmoid(1);

using testing::Xor;

/// Message of the InvalidArgument `f` throws ("" if none); the same must come on every rank.
template <class F>
std::string invalid_argument_of(F&& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(HessianOptions, RejectsAStepBecauseNewtonsMethodHasNone) {
  const auto message = invalid_argument_of([] { Hessian optimizer(k_net, {.step = 0.1}); });
  EXPECT_ALL_RANKS(contains(message, "Hessian has no step option"));
}

TEST(HessianOptions, RejectsANegativePenaltyNamingTheOptionAndValue) {
  const auto message = invalid_argument_of([] { Hessian optimizer(k_net, {.penalty_const = -0.5}); });
  EXPECT_ALL_RANKS(contains(message, "penalty_const") && contains(message, "-0.5"));
  EXPECT_ALL_RANKS(invalid_argument_of([] { Hessian optimizer(k_net, {.penalty_const = 0}); }).empty());
}

TEST(HessianOptions, RejectsShowEpochBelowOneAnUnknownLossAndABadGrid) {
  EXPECT_ALL_RANKS(contains(invalid_argument_of([] { Hessian optimizer(k_net, {.show_epoch = 0}); }), "show_epoch"));
  const auto loss = invalid_argument_of([] { Hessian optimizer(k_net, {.loss = "mse2"}); });
  EXPECT_ALL_RANKS(contains(loss, "loss") && contains(loss, "mse2"));
  HessianOptions bad_grid;
  bad_grid.layout.grid = "3x5";  // 15 ranks: never the test's rank count
  const auto grid = invalid_argument_of([&] { Hessian optimizer(k_net, bad_grid); });
  EXPECT_ALL_RANKS(!grid.empty());
}

TEST(HessianOptions, TakesALossByNameOrAsALossObject) {
  const Xor data;
  Hessian by_name(k_net, {.loss = "binary_crossentropy"});
  Hessian by_object(k_net, {.loss = Loss::named("binary_crossentropy")});
  Hessian custom(k_net, {.loss = Loss::custom([](auto t, auto o) { return (t - o) * (t - o); }, "squares")});
  by_name.train(data.x, data.y, 2);
  by_object.train(data.x, data.y, 2);
  custom.train(data.x, data.y, 2);
  EXPECT_ALL_RANKS(by_name.errors.train == by_object.errors.train);
  EXPECT_ALL_RANKS(custom.loss().name() == "squares");
  Hessian mse(k_net);
  mse.train(data.x, data.y, 2);
  EXPECT_ALL_RANKS(std::abs(custom.errors.train[1] - mse.errors.train[1]) <= 1e-12);
}

TEST(HessianTrain, RejectsZeroEpochs) {
  const Xor data;
  Hessian optimizer(k_net);
  EXPECT_ALL_RANKS(contains(invalid_argument_of([&] { optimizer.train(data.x, data.y, 0); }), "epochs must be > 0"));
  EXPECT_ALL_RANKS(optimizer.last_epoch == 0 && optimizer.errors.train.empty());
}

TEST(HessianTrain, RejectsTestInputsWithoutTestTargetsAndTheReverse) {
  const Xor data;
  Hessian optimizer(k_net);
  const auto only_x = invalid_argument_of([&] { optimizer.train(data.x, data.y, data.x, RowMatrix(), 1); });
  const auto only_y = invalid_argument_of([&] { optimizer.train(data.x, data.y, RowMatrix(), data.y, 1); });
  EXPECT_ALL_RANKS(contains(only_x, "X_test and y_test must be given together"));
  EXPECT_ALL_RANKS(contains(only_y, "X_test and y_test must be given together"));
  EXPECT_ALL_RANKS(optimizer.last_epoch == 0);
}

TEST(HessianTrain, RejectsDataWhoseColumnsDoNotFitTheNetwork) {
  const Xor data;
  Hessian optimizer(k_net);
  const RowMatrix wide = RowMatrix::Zero(4, 3);
  EXPECT_ALL_RANKS(contains(invalid_argument_of([&] { optimizer.train(wide, data.y, 1); }), "3 input columns"));
  EXPECT_ALL_RANKS(
      contains(invalid_argument_of([&] { optimizer.train(data.x, data.y, wide, data.y, 1); }), "the test data"));
  EXPECT_ALL_RANKS(!invalid_argument_of([&] { optimizer.train(data.x, data.y.topRows(3), 1); }).empty());
}

TEST(OptionAgreement, RanksGivenDifferentOptionsAllFailNamingTheFirstDifference) {
  const Communicator world;
  const int rank = world.rank();
  const auto penalty = invalid_argument_of([&] { Hessian h(k_net, {.penalty_const = 1.0 + rank}); });
  const auto loss = invalid_argument_of([&] { TrustRegion t(k_net, {.loss = rank == 0 ? "mse" : "mae"}); });
  const auto goal = invalid_argument_of(
      [&] { LevenbergMarquardt l(k_net, {.goal = rank == 0 ? -std::numeric_limits<double>::infinity() : 0.5}); });
  if (world.size() == 1) {
    EXPECT_ALL_RANKS(penalty.empty() && loss.empty() && goal.empty());
    return;
  }
  // The same message on every rank, so that each can report it and none waits in a collective.
  EXPECT_ALL_RANKS(contains(penalty, "rank 1 has penalty_const = 2 where rank 0 has 1"));
  EXPECT_ALL_RANKS(contains(loss, "rank 1 has loss = mae where rank 0 has mse"));
  EXPECT_ALL_RANKS(contains(goal, "rank 1 has goal = 0.5 where rank 0 has (unset)"));
  // Output settings may differ: rank 0 alone printing is the usual pattern.
  std::ostringstream out;
  EXPECT_ALL_RANKS(invalid_argument_of([&] { Hessian h(k_net, {.verbose = rank == 0, .output = &out}); }).empty());
}

TEST(OptionAgreement, RanksGivenDifferentNetworkParametersAllFail) {
  const Communicator world;
  Network net = Network::he_normal(k_net, 7);
  if (world.rank() == world.size() - 1) net.parameters()(0) += 1e-12;
  const auto message = invalid_argument_of([&] { Hessian h(net); });
  if (world.size() == 1) {
    EXPECT_ALL_RANKS(message.empty());
    return;
  }
  EXPECT_ALL_RANKS(contains(message, "has another network (architecture or parameters) than rank 0"));
}

TEST(VerboseOutput, PrintsEachOptionAtConstructionOnRankZeroOnly) {
  std::ostringstream out;
  Hessian optimizer(k_net, {.penalty_const = 0.5, .verbose = true, .output = &out});
  const Communicator world;
  if (!world.is_root()) {
    EXPECT_EQ(out.str(), "");
    EXPECT_ALL_RANKS(true);
    return;
  }
  const auto lines = lines_of(out.str());
  const auto has = [&](const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); };
  EXPECT_ALL_RANKS(has("[ALGORITHM] Hessian") && has("[OPTION] penalty_const = 0.5") && has("[OPTION] loss = mse") &&
                   has("[OPTION] show_epoch = 1") && has("[OPTION] shuffle_data = False") &&
                   has("[OPTION] verbose = True") && has("[OPTION] regularizer = None"));
}

/// Epoch numbers of the `#N : [...] train: ...` lines in a verbose log.
std::vector<int> shown_epochs(const std::string& text, bool with_valid) {
  const std::regex line(with_valid ? R"(#(\d+) : \[\d+ (ms|sec)\] train: \d+\.\d{6}, valid: \d+\.\d{6})"
                                   : R"(#(\d+) : \[\d+ (ms|sec)\] train: \d+\.\d{6})");
  std::vector<int> epochs;
  for (const auto& l : lines_of(text)) {
    std::smatch m;
    if (std::regex_match(l, m, line)) epochs.push_back(std::stoi(m[1]));
  }
  return epochs;
}

TEST(VerboseOutput, ShowsTheFirstEveryShowEpochThAndTheLastEpoch) {
  const Xor data;
  std::ostringstream out;
  Hessian optimizer(k_net, {.show_epoch = 3, .verbose = true, .output = &out});
  optimizer.train(data.x, data.y, 7);
  const bool root = Communicator().is_root();
  EXPECT_ALL_RANKS(!root || shown_epochs(out.str(), false) == std::vector<int>({1, 3, 6, 7}));
  out.str("");
  optimizer.train(data.x, data.y, data.x, data.y, 5);  // epochs 8..12, now with validation
  EXPECT_ALL_RANKS(!root || shown_epochs(out.str(), true) == std::vector<int>({8, 9, 12}));
  EXPECT_ALL_RANKS(!root || contains(out.str(), "[TRAINING] Total epochs: 5"));
}

TEST(VerboseOutput, AStopRuleEndingTrainingBetweenShownEpochsStillShowsTheLastEpoch) {
  const Xor data;
  Hessian full(k_net, {.seed = 3});
  full.train(data.x, data.y, 20);
  std::ostringstream out;
  Hessian stopped(k_net, {.show_epoch = 10, .seed = 3, .verbose = true, .output = &out, .goal = full.errors.train[6]});
  stopped.train(data.x, data.y, 20);  // the goal is reached at epoch 7 at the latest
  const int last = stopped.last_epoch;
  const bool root = Communicator().is_root();
  EXPECT_ALL_RANKS(stopped.stop_reason() == "goal" && last > 1 && last < 10);
  EXPECT_ALL_RANKS(!root || shown_epochs(out.str(), false) == std::vector<int>({1, last}));
}

TEST(VerboseOutput, FormatsEpochLinesAsNeupyDoes) {
  EXPECT_ALL_RANKS(format_epoch_line(12, 0.035, 0.104521, 0.110212) ==
                   "#12 : [35 ms] train: 0.104521, valid: 0.110212");
  EXPECT_ALL_RANKS(format_epoch_line(3, 2.5, 1.0, std::nullopt) == "#3 : [2.50 sec] train: 1.000000");
  EXPECT_ALL_RANKS(format_duration(125) == "2 min 5 sec");
  EXPECT_ALL_RANKS(format_loss(1.5e-7) == "1.500e-07");
  EXPECT_ALL_RANKS(is_shown_epoch(1, 1, 10, 4) && is_shown_epoch(4, 1, 10, 4) && is_shown_epoch(8, 1, 10, 4) &&
                   is_shown_epoch(10, 1, 10, 4) && !is_shown_epoch(5, 1, 10, 4) && !is_shown_epoch(9, 1, 10, 4));
}

}  // namespace
}  // namespace hessnet
