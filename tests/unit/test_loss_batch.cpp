// SPDX-License-Identifier: MIT
// Batch losses (one call per block of samples, as the Python binding gives them) have the
// same values and exact derivatives as the per-sample path, through the whole kernel.
#include <gtest/gtest.h>

#include "finite_difference.hpp"
#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

/// (o - t)^2 per element with its derivatives 2 (o - t) and 2, for a whole block.
void squared_error_block(ConstRowMatrixRef t, ConstRowMatrixRef o, RowMatrix& value, RowMatrix& first,
                         RowMatrix& second) {
  value = (o - t).array().square().matrix();
  first = 2 * (o - t);
  second = RowMatrix::Constant(o.rows(), o.cols(), 2.0);
}

TEST(BatchLoss, GivesTheValuesAndDerivativesOfTheSameElementwiseLossPerSample) {
  const RowMatrix t = testing::random_matrix(5, 3, 1), o = testing::random_matrix(5, 3, 2);
  const Loss batch = Loss::batch(squared_error_block, "squares");
  const Loss custom = Loss::custom([](auto a, auto b) { return (b - a) * (b - a); });
  RowMatrix g1, h1, g2, h2;
  const Vector v1 = batch.evaluate_rows(t, o, g1, h1), v2 = custom.evaluate_rows(t, o, g2, h2);
  EXPECT_LE((v1 - v2).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LE((g1 - g2).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_EQ(h1, h2);
  EXPECT_NEAR(batch.sum(t, o), v2.sum(), 1e-14);
  EXPECT_EQ(batch.kind(), LossKind::Custom);
  EXPECT_EQ(batch.name(), "squares");
}

TEST(BatchLoss, GivesTheSameGradientAndHessianAsMseThroughTheKernel) {
  const Network net = Network::he_normal(Input(3) >> Tanh(4) >> Sigmoid(2), 7);
  const RowMatrix x = testing::random_matrix(6, 3, 3), y = testing::random_matrix(6, 2, 4);
  const DenseDerivatives expected = dense_derivatives(net, Loss::named("mse"), {}, x, y);
  const DenseDerivatives got = dense_derivatives(net, Loss::batch(squared_error_block), {}, x, y);
  EXPECT_NEAR(got.loss, expected.loss, 1e-15);
  EXPECT_LE((got.gradient - expected.gradient).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LE((got.hessian - expected.hessian).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(BatchLoss, ThatReturnsTheWrongShapeIsRefusedNamingTheLoss) {
  const Loss wrong = Loss::batch(
      [](ConstRowMatrixRef, ConstRowMatrixRef o, RowMatrix& value, RowMatrix& first, RowMatrix& second) {
        value = RowMatrix::Zero(o.rows(), o.cols());
        first = value;
        second = RowMatrix::Zero(1, 1);
      },
      "broken");
  const RowMatrix t = RowMatrix::Zero(2, 2);
  RowMatrix g, h;
  try {
    wrong.evaluate_rows(t, t, g, h);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "loss broken gave a 1 x 1 result for 2 x 2 outputs");
  }
}

}  // namespace
}  // namespace hessnet
