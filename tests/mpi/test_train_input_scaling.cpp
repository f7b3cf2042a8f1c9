// SPDX-License-Identifier: MIT
// Input scaling is computed over all ranks and folds into the first layer exactly.
#include <gtest/gtest.h>

#include "finite_difference.hpp"
#include "hessnet/io/shard.hpp"
#include "hessnet/train/input_scaling.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

Shard shard_of_all(const RowMatrix& x) {
  const Communicator world;
  const auto [begin, end] = shard_rows(x.rows(), world.rank(), world.size());
  return Shard{Dataset{x.middleRows(begin, end - begin), RowMatrix::Zero(end - begin, 1)}, begin, x.rows()};
}

TEST(InputScaling, StatisticsOverAllRanksEqualThoseOfTheWholeData) {
  RowMatrix x = testing::random_matrix(23, 4, 3, -2, 5);
  x.col(2).setConstant(7.0);  // a constant column keeps scale 1
  const Shard shard = shard_of_all(x);
  const InputScaling standard = InputScaling::of_training_data(Communicator(), shard, ScalingKind::Standard);
  const Vector mean = x.colwise().mean().transpose();
  const Vector std_dev = ((x.rowwise() - mean.transpose()).colwise().squaredNorm() / 23.0).cwiseSqrt().transpose();
  EXPECT_ALL_RANKS((standard.mean - mean).norm() <= 1e-14 * mean.norm());
  EXPECT_ALL_RANKS(std::abs(standard.scale[0] - std_dev[0]) <= 1e-14 * std_dev[0]);
  EXPECT_ALL_RANKS(standard.scale[2] == 1.0);
  const InputScaling maxabs = InputScaling::of_training_data(Communicator(), shard, ScalingKind::MaxAbs);
  EXPECT_ALL_RANKS(maxabs.mean.isZero() && maxabs.scale == Vector(x.cwiseAbs().colwise().maxCoeff().transpose()));
}

TEST(InputScaling, FoldedModelOnRawInputsPredictsWhatTheScaledModelPredictsOnScaledInputs) {
  const RowMatrix x = testing::random_matrix(17, 3, 8, -4, 9);
  const Shard shard = shard_of_all(x);
  for (const ScalingKind kind : {ScalingKind::Standard, ScalingKind::MaxAbs}) {
    const InputScaling scaling = InputScaling::of_training_data(Communicator(), shard, kind);
    const Network raw = Network::he_normal(Input(3) >> Tanh(4) >> Linear(2), 5);
    RowMatrix scaled_x = x;
    scaling.apply(scaled_x);
    const Network scaled = scaling.for_scaled_inputs(raw);
    EXPECT_ALL_RANKS(testing::relative_error(scaled.predict(scaled_x), raw.predict(x)) <= 1e-13);
    const Network back = scaling.for_raw_inputs(scaled);
    EXPECT_ALL_RANKS(testing::relative_error(back.parameters(), raw.parameters()) <= 1e-14);
  }
}

TEST(InputScaling, StandardScalingOfHugeFiniteColumnsDoesNotOverflow) {
  RowMatrix x(8, 2);
  for (Index r = 0; r < 8; ++r) x.row(r) << (r % 2 == 0 ? 1e200 : -1e200), (r % 2 == 0 ? 1.7e308 : 1.5e308);
  const InputScaling standard = InputScaling::of_training_data(Communicator(), shard_of_all(x), ScalingKind::Standard);
  EXPECT_ALL_RANKS(standard.mean[0] == 0 && std::abs(standard.scale[0] - 1e200) <= 1e-15 * 1e200);
  EXPECT_ALL_RANKS(std::abs(standard.mean[1] - 1.6e308) <= 1e-15 * 1.6e308 &&
                   std::abs(standard.scale[1] - 0.1e308) <= 1e-14 * 0.1e308);
}

TEST(InputScaling, StandardScalingOfSubnormalColumnsStaysFinite) {
  RowMatrix x(6, 1);
  x << 3e-310, -1e-310, 2e-310, -3e-310, 1e-310, 0;
  const InputScaling standard = InputScaling::of_training_data(Communicator(), shard_of_all(x), ScalingKind::Standard);
  EXPECT_ALL_RANKS(std::isfinite(standard.mean[0]) && standard.scale[0] > 0 && std::isfinite(standard.scale[0]));
  RowMatrix scaled = x;
  standard.apply(scaled);
  EXPECT_ALL_RANKS(scaled.allFinite() && std::abs(scaled.col(0).mean()) <= 1e-12);
}

TEST(InputScaling, AFirstLayerThatOverflowsWhenRewrittenIsRefusedNamingTheOption) {
  RowMatrix x(4, 1);
  x << 1e300, -1e300, 1e300, -1e300;
  const InputScaling maxabs = InputScaling::of_training_data(Communicator(), shard_of_all(x), ScalingKind::MaxAbs);
  Network raw(Input(1) >> Tanh(2) >> Linear(1));
  raw.parameters().setConstant(1e10);
  std::string what;
  try {
    (void)maxabs.for_scaled_inputs(raw);
  } catch (const InvalidArgument& e) {
    what = e.what();
  }
  EXPECT_ALL_RANKS(what.find("--scale-inputs: the first layer") != std::string::npos &&
                   what.find("parameter 0 (layer 1) is inf") != std::string::npos);
}

TEST(InputScaling, CentringNeedsABiasInTheFirstLayer) {
  const RowMatrix x = testing::random_matrix(9, 2, 1, 1, 2);
  const InputScaling scaling = InputScaling::of_training_data(Communicator(), shard_of_all(x), ScalingKind::Standard);
  EXPECT_THROW(scaling.for_scaled_inputs(Network(Input(2) >> Linear(1, false))), InvalidArgument);
  EXPECT_THROW(parse_scaling_kind("minmax"), InvalidArgument);
}

}  // namespace
}  // namespace hessnet
