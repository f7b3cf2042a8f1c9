// SPDX-License-Identifier: MIT
// The optimizers' option checks and resume comparison are pure code: every bad value is
// refused naming the option and the value, without MPI.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hessnet/core/error.hpp"
#include "hessnet/optim/option_list.hpp"

namespace hessnet {
namespace {

/// The InvalidArgument message of `check` ("" if it does not throw).
std::string refusal(const std::function<void()>& check) {
  try {
    check();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

struct BadOption {
  std::string expected;  // every word of this must be in the message
  std::function<void()> check;
};

TEST(OptionChecks, EveryBadValueIsRefusedNamingTheOptionAndTheValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::vector<BadOption> table = {
      {"no step option 0.1", [] { checked_options(HessianOptions{.step = 0.1}, 1); }},
      {"penalty_const -0.5", [] { checked_options(HessianOptions{.penalty_const = -0.5}, 1); }},
      {"penalty_const inf", [&] { checked_options(HessianOptions{.penalty_const = inf}, 1); }},
      {"show_epoch 0", [] { checked_options(HessianOptions{.show_epoch = 0}, 1); }},
      {"mse2", [] { checked_options(HessianOptions{.loss = "mse2"}, 1); }},
      {"goal nan", [&] { checked_options(HessianOptions{.goal = nan}, 1); }},
      {"min_grad -1", [] { checked_options(HessianOptions{.min_grad = -1}, 1); }},
      {"max_fail -1", [] { checked_options(HessianOptions{.max_fail = -1}, 1); }},
      {"time_limit -2", [] { checked_options(HessianOptions{.time_limit = -2}, 1); }},
      {"block_size 0", [] { checked_options(HessianOptions{.layout = {.block_size = 0}}, 1); }},
      {"3x5", [] { checked_options(HessianOptions{.layout = {.grid = "3x5"}}, 4); }},
      {"damping.factor 1", [] { checked_options(HessianOptions{.damping = {.factor = 1}}, 1); }},
      {"damping.max_escalations -1", [] { checked_options(HessianOptions{.damping = {.max_escalations = -1}}, 1); }},
      {"damping.from_zero 0", [] { checked_options(HessianOptions{.damping = {.from_zero = 0}}, 1); }},
      {"initial_radius 0", [] { checked_options(TrustRegionOptions{.initial_radius = 0}, 1); }},
      {"max_radius 0.5", [] { checked_options(TrustRegionOptions{.initial_radius = 1, .max_radius = 0.5}, 1); }},
      {"eta 0.5", [] { checked_options(TrustRegionOptions{.eta = 0.5}, 1); }},
      {"max_rejections 0", [] { checked_options(TrustRegionOptions{.max_rejections = 0}, 1); }},
      {"mu 0", [] { checked_options(LevenbergMarquardtOptions{.mu = 0}, 1); }},
      {"mu_update_factor 1", [] { checked_options(LevenbergMarquardtOptions{.mu_update_factor = 1}, 1); }},
      {"mu_max 0.001", [] { checked_options(LevenbergMarquardtOptions{.mu = 0.01, .mu_max = 0.001}, 1); }},
      {"min_eigval 2", [] { checked_options(HessianDiagonalOptions{.min_eigval = 2}); }},
      {"step -1", [] { checked_options(HessianDiagonalOptions{.step = -1}); }},
      {"epochs 0", [] { check_epochs(0); }},
  };
  for (const BadOption& row : table) {
    const std::string message = refusal(row.check);
    ASSERT_FALSE(message.empty()) << "accepted: " << row.expected;
    for (std::size_t start = 0; start < row.expected.size();) {
      const std::size_t end = std::min(row.expected.find(' ', start), row.expected.size());
      const std::string word = row.expected.substr(start, end - start);
      EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' missing from: " << message;
      start = end + 1;
    }
  }
}

TEST(OptionChecks, DefaultsAndBoundaryValuesAreAccepted) {
  EXPECT_EQ(refusal([] { checked_options(HessianOptions{.penalty_const = 0}, 1); }), "");
  EXPECT_EQ(refusal([] { checked_options(HessianOptions{.layout = {.grid = "2x2"}}, 4); }), "");
  EXPECT_EQ(refusal([] { checked_options(TrustRegionOptions{}, 2); }), "");
  EXPECT_EQ(refusal([] { checked_options(LevenbergMarquardtOptions{}, 2); }), "");
  EXPECT_EQ(refusal([] { checked_options(HessianDiagonalOptions{.min_eigval = 1}); }), "");
}

TEST(OptionChecks, ResumeRefusesAnOptionThatChangesTheIterationButNotOneThatOnlyChangesOutput) {
  const OptionList saved = checked_options(HessianOptions{.penalty_const = 0.1}, 1);
  EXPECT_EQ(refusal([&] { check_same_iteration(saved, checked_options(HessianOptions{.penalty_const = 0.1}, 1)); }),
            "");
  EXPECT_EQ(refusal([&] {
              check_same_iteration(saved, checked_options(HessianOptions{.penalty_const = 0.1, .verbose = true}, 1));
            }),
            "");
  const std::string penalty =
      refusal([&] { check_same_iteration(saved, checked_options(HessianOptions{.penalty_const = 1}, 1)); });
  EXPECT_NE(penalty.find("penalty_const = 0.1, this run 1"), std::string::npos) << penalty;
  const std::string algorithm = refusal([&] { check_same_iteration(saved, checked_options(TrustRegionOptions{}, 1)); });
  EXPECT_NE(algorithm.find("optimizer Hessian, this run TrustRegion"), std::string::npos) << algorithm;
}

TEST(OptionChecks, IntegersAndDoublesOfTheSameValueAreTheSameOption) {
  // A checkpoint's JSON reads 5 as an unsigned integer and 5.0 as a double.
  EXPECT_TRUE(same_option_value(std::int64_t{5}, std::uint64_t{5}));
  EXPECT_TRUE(same_option_value(std::int64_t{5}, 5.0));
  EXPECT_FALSE(same_option_value(std::int64_t{5}, 5.5));
  EXPECT_FALSE(same_option_value(std::string("5"), std::int64_t{5}));
}

}  // namespace
}  // namespace hessnet
