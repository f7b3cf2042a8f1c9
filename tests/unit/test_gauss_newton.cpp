// SPDX-License-Identifier: MIT
// The generalised Gauss-Newton matrix the Hessian kernel assembles in Curvature::GaussNewton
// mode equals sum_s J_s^T M_s J_s formed densely: J_s the Jacobian of sample s's outputs (from
// backpropagation of one output at a time), M_s = max(d2l/do2, 0) of the loss.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include <string>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/autodiff/shard_state.hpp"

namespace hessnet {
namespace {

/// d o_k / d theta for one sample: the gradient of the loss t . o with t = e_k, times n (the
/// elementwise mean's normalizer for one sample).
Matrix output_jacobian(const Network& net, ConstRowMatrixRef x) {
  const Loss linear = Loss::custom([](auto t, auto o) { return t * o; }, "t*o");
  const Index n = net.outputs();
  Matrix j(n, net.n_params());
  for (Index k = 0; k < n; ++k) {
    RowMatrix e = RowMatrix::Zero(1, n);
    e(0, k) = 1;
    const ShardState state(net, linear, x, e, 1);
    j.row(k) = static_cast<double>(n) * state.inner_gradient().transpose();
  }
  return j;
}

/// sum_s J_s^T max(h_s, 0) J_s / c, with h_s the loss's diagonal curvature in the outputs.
Matrix dense_gauss_newton(const Network& net, const Loss& loss, const RowMatrix& x, const RowMatrix& y) {
  const Index n = net.outputs(), samples = x.rows();
  const double c = loss.normalizer(samples, n);
  const RowMatrix out = net.predict(x);
  Matrix g = Matrix::Zero(net.n_params(), net.n_params());
  Vector grad(n), h(n);
  for (Index s = 0; s < samples; ++s) {
    loss.evaluate(y.row(s).data(), out.row(s).data(), n, grad.data(), h.data());
    const Matrix j = output_jacobian(net, x.row(s));
    g += j.transpose() * (h.cwiseMax(0.0) / c).asDiagonal() * j;
  }
  return g;
}

struct Case {
  std::string name;
  Architecture arch;
  std::string loss;
};

TEST(GaussNewton, KernelMatrixEqualsTheDenseJacobianProductForEveryOutputAndLoss) {
  const std::vector<Case> cases = {
      {"mse, linear output", Input(3) >> Tanh(5) >> Linear(2), "mse"},
      {"mse, sigmoid output (the activation's curvature drops out)", Input(3) >> Tanh(4) >> Sigmoid(2), "mse"},
      {"softmax and categorical cross-entropy", Input(3) >> Sigmoid(5) >> Softmax(4), "categorical_crossentropy"},
      {"sigmoid and binary cross-entropy", Input(3) >> Elu(4) >> Softplus(3, false) >> Sigmoid(1),
       "binary_crossentropy"},
      {"msle, whose curvature may be negative (clamped)", Input(3) >> Tanh(4) >> Softplus(2), "msle"},
  };
  const Index samples = 9;
  const RowMatrix x = testing::random_matrix(samples, 3, 1);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Network net = Network::he_normal(c.arch, 4);
    const Loss loss = Loss::named(c.loss);
    const RowMatrix y = c.loss == "categorical_crossentropy"
                            ? testing::random_one_hot(samples, net.outputs(), 2)
                            : testing::random_matrix(samples, net.outputs(), 3, 0.1, 0.9);
    const Matrix reference = dense_gauss_newton(net, loss, x, y);
    const Matrix kernel = dense_derivatives(net, loss, Regularizer{}, x, y, {}, Curvature::GaussNewton).hessian;
    EXPECT_LE((kernel - reference).cwiseAbs().maxCoeff(), 1e-12 * reference.cwiseAbs().maxCoeff());
    // Positive semidefinite, as Levenberg-Marquardt needs.
    EXPECT_GE(Eigen::SelfAdjointEigenSolver<Matrix>(kernel).eigenvalues()(0), -1e-12 * reference.norm());
  }
}

TEST(GaussNewton, RootLossesScaleTheInnerMatrixAndDropTheirRankOneTerm) {
  const Index samples = 7;
  const RowMatrix x = testing::random_matrix(samples, 2, 5), y = testing::random_matrix(samples, 1, 6);
  const Network net = Network::he_normal(Input(2) >> Tanh(3) >> Linear(1), 2);
  const Matrix inner =
      dense_derivatives(net, Loss::named("mse"), Regularizer{}, x, y, {}, Curvature::GaussNewton).hessian;
  const DenseDerivatives root =
      dense_derivatives(net, Loss::named("rmse"), Regularizer{}, x, y, {}, Curvature::GaussNewton);
  const double r1 = 0.5 / root.loss;  // d sqrt(v) / dv at v = rmse^2
  EXPECT_LE((root.hessian - r1 * inner).cwiseAbs().maxCoeff(), 1e-12 * inner.cwiseAbs().maxCoeff());
}

}  // namespace
}  // namespace hessnet
