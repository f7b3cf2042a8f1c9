// SPDX-License-Identifier: MIT
// The summary `hessnet spectrum` prints: extremes, condition number and inertia.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "hessnet/analysis/spectrum_summary.hpp"

namespace hessnet {
namespace {

TEST(SpectrumSummary, CountsSignsWithTheBackwardErrorToleranceForZero) {
  // tolerance = 4 * eps * 8, about 7e-15: 1e-20 counts as zero, 1e-10 does not.
  const SpectrumSummary s = summarize_spectrum({-8.0, 1e-20, 0.0, 1e-10});
  EXPECT_EQ(s.n, 4);
  EXPECT_EQ(s.negative, 1);
  EXPECT_EQ(s.zero, 2);
  EXPECT_EQ(s.positive, 1);
  EXPECT_EQ(s.min, -8.0);
  EXPECT_EQ(s.max, 1e-10);
  EXPECT_EQ(s.condition, std::numeric_limits<double>::infinity());

  const SpectrumSummary regular = summarize_spectrum({2.0, -4.0, 0.5});
  EXPECT_EQ(regular.zero, 0);
  EXPECT_DOUBLE_EQ(regular.condition, 8.0);
  EXPECT_EQ(regular.max_abs, 4.0);
  EXPECT_EQ(regular.min_abs, 0.5);

  const SpectrumSummary none = summarize_spectrum({});
  EXPECT_EQ(none.n, 0);
  EXPECT_TRUE(std::isnan(none.min));
  EXPECT_EQ(none.condition, std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace hessnet
