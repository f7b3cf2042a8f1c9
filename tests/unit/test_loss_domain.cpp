// SPDX-License-Identifier: MIT
// Targets outside a loss's domain are named before training, not found as a NaN loss later.
#include <gtest/gtest.h>

#include <string>

#include "hessnet/loss/loss.hpp"

namespace hessnet {
namespace {

TEST(LossDomain, MsleAndRmsleNameTheFirstTargetAtOrBelowMinusOneCountingFromTheShardsFirstRow) {
  const RowMatrix targets = (RowMatrix(3, 2) << 0.5, 2, -0.5, -1, 3, -7).finished();
  for (const char* name : {"msle", "rmsle"}) {
    const auto problem = Loss::named(name).target_outside_domain(targets, 10);
    ASSERT_TRUE(problem.has_value()) << name;
    EXPECT_EQ(*problem, std::string(name) +
                            " needs targets above -1 (it takes log(1 + t)); row 11 (from 0), column 1 "
                            "is -1");
  }
  EXPECT_FALSE(Loss::named("msle").target_outside_domain(targets.topRows(1)).has_value());
  for (const char* name : {"mse", "mae", "binary_crossentropy"})
    EXPECT_FALSE(Loss::named(name).target_outside_domain(targets).has_value()) << name;
}

}  // namespace
}  // namespace hessnet
