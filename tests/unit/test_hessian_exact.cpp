// SPDX-License-Identifier: MIT
// The exact gradient and Hessian agree with central differences for every activation,
// every loss and every regularizer.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "finite_difference.hpp"
#include "hessnet/autodiff/function_hessian.hpp"

namespace hessnet {
namespace {

using testing::central_jacobian;
using testing::relative_error;

struct Problem {
  Network net;
  RowMatrix inputs, targets;
};

/// Targets that the loss accepts, for outputs in the output activation's range.
RowMatrix targets_for(const std::string& loss, Index samples, Index outputs, std::uint64_t seed) {
  if (loss == "categorical_crossentropy" || loss == "categorical_hinge")
    return testing::random_one_hot(samples, outputs, seed);
  if (loss == "binary_hinge") {
    RowMatrix t = testing::random_matrix(samples, outputs, seed);
    return t.unaryExpr([](double v) { return v > 0 ? 1.0 : -1.0; });
  }
  if (loss == "binary_crossentropy") return testing::random_matrix(samples, outputs, seed, 0, 1);
  if (loss == "msle" || loss == "rmsle") return testing::random_matrix(samples, outputs, seed, 0, 2);
  return testing::random_matrix(samples, outputs, seed);
}

/// An output layer whose range suits the loss.
LayerSpec output_for(const std::string& loss, Index outputs) {
  if (loss == "categorical_crossentropy" || loss == "categorical_hinge") return Softmax(outputs);
  if (loss == "binary_crossentropy" || loss == "msle" || loss == "rmsle") return Sigmoid(outputs);
  if (loss == "binary_hinge") return Tanh(outputs);
  return Linear(outputs);
}

Problem make_problem(Activation hidden, const std::string& loss, std::uint64_t seed) {
  const Index outputs = 3;
  LayerSpec h1{false, hidden, 4, true}, h2{false, hidden, 3, false};
  Architecture arch = Input(3) >> h1 >> h2 >> output_for(loss, outputs);
  Problem p{Network::he_normal(arch, seed), testing::random_matrix(7, 3, seed + 1),
            targets_for(loss, 7, outputs, seed + 2)};
  // Non-zero biases so that every bias row of the Hessian is exercised.
  Vector theta = p.net.parameters();
  theta += 0.1 * Vector(testing::random_matrix(theta.size(), 1, seed + 3).col(0));
  p.net.set_parameters(theta);
  return p;
}

void expect_matches_finite_differences(const Network& start, const Loss& loss, const Regularizer& reg,
                                       const RowMatrix& x, const RowMatrix& y, double tolerance = 1e-6) {
  Network net = start;
  const auto at = [&](const Vector& theta) {
    net.set_parameters(theta);
    return dense_derivatives(net, loss, reg, x, y);
  };
  const Vector theta = start.parameters();
  const DenseDerivatives exact = at(theta);
  const Matrix fd_gradient = central_jacobian([&](const Vector& t) { return Vector::Constant(1, at(t).loss); }, theta);
  const Matrix fd_hessian = central_jacobian([&](const Vector& t) { return at(t).gradient; }, theta);
  EXPECT_LE(relative_error(exact.gradient.transpose(), fd_gradient), tolerance);
  EXPECT_LE(relative_error(exact.hessian, fd_hessian), tolerance);
  EXPECT_EQ(exact.hessian, exact.hessian.transpose());
}

class EveryActivationAndLoss : public ::testing::TestWithParam<std::tuple<Activation, std::string>> {};

TEST_P(EveryActivationAndLoss, GradientAndHessianMatchCentralDifferences) {
  const auto [activation, loss_name] = GetParam();
  const Problem p = make_problem(activation, loss_name, 11);
  expect_matches_finite_differences(p.net, Loss::named(loss_name), Regularizer{}, p.inputs, p.targets);
}

INSTANTIATE_TEST_SUITE_P(Kernel, EveryActivationAndLoss,
                         ::testing::Combine(::testing::Values(Activation::Linear, Activation::Sigmoid, Activation::Tanh,
                                                              Activation::Relu, Activation::LeakyRelu, Activation::Elu,
                                                              Activation::Softplus, Activation::HardSigmoid),
                                            ::testing::Values("mae", "mse", "rmse", "msle", "rmsle",
                                                              "binary_crossentropy", "categorical_crossentropy",
                                                              "binary_hinge", "categorical_hinge")),
                         [](const auto& param_info) {
                           return std::string(activation_name(std::get<0>(param_info.param))) + "_" +
                                  std::get<1>(param_info.param);
                         });

class EveryOutputActivation : public ::testing::TestWithParam<Activation> {};

TEST_P(EveryOutputActivation, IsDifferentiatedExactlyAtTheOutput) {
  const Activation out = GetParam();
  Architecture arch = Input(2) >> Tanh(3) >> LayerSpec{false, out, 2, true};
  const Network net = Network::he_normal(arch, 5);
  expect_matches_finite_differences(net, Loss::named("mse"), Regularizer{}, testing::random_matrix(6, 2, 1),
                                    testing::random_matrix(6, 2, 2));
}

INSTANTIATE_TEST_SUITE_P(Kernel, EveryOutputActivation,
                         ::testing::Values(Activation::Linear, Activation::Sigmoid, Activation::Tanh, Activation::Relu,
                                           Activation::LeakyRelu, Activation::Elu, Activation::Softplus,
                                           Activation::Softmax, Activation::HardSigmoid),
                         [](const auto& param_info) { return std::string(activation_name(param_info.param)); });

class EveryRegularizer : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryRegularizer, AddsItsExactGradientAndCurvature) {
  const Problem p = make_problem(Activation::Tanh, "mse", 3);
  expect_matches_finite_differences(p.net, Loss::named("mse"), Regularizer::parse(GetParam()), p.inputs, p.targets);
}

INSTANTIATE_TEST_SUITE_P(Kernel, EveryRegularizer,
                         ::testing::Values("l1:0.01", "l2:0.01", "maxnorm:0.01", "l2:0.5:all"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name)
                             if (c == ':' || c == '.') c = '_';
                           return name;
                         });

TEST(Kernel, CustomLossIsDifferentiatedExactly) {
  const Problem p = make_problem(Activation::Sigmoid, "mse", 9);
  const Loss quartic = Loss::custom([](auto t, auto o) { return (t - o) * (t - o) * (t - o) * (t - o) + exp(o); });
  expect_matches_finite_differences(p.net, quartic, Regularizer{}, p.inputs, p.targets);
}

TEST(Kernel, RootLossOverManySamplesKeepsItsRankOneTerm) {
  const Network net = Network::he_normal(Input(2) >> Tanh(3) >> Linear(1), 4);
  expect_matches_finite_differences(net, Loss::named("rmse"), Regularizer::parse("l2:0.1"),
                                    testing::random_matrix(40, 2, 6), testing::random_matrix(40, 1, 7));
}

TEST(Autodiff, WorkedExampleGivesTheDocumentedGradientAndHessian) {
  // f = x^2 + y^3 + 7xy at (1, 2): gradient [16, 19], Hessian [[2, 7], [7, 12]].
  Vector g;
  Matrix h;
  function_gradient_and_hessian([](const auto& v) { return v[0] * v[0] + v[1] * v[1] * v[1] + 7.0 * v[0] * v[1]; },
                                Vector{{1.0, 2.0}}, g, h);
  EXPECT_EQ(g, (Vector{{16.0, 19.0}}));
  EXPECT_EQ(h, (Matrix{{2.0, 7.0}, {7.0, 12.0}}));
}

}  // namespace
}  // namespace hessnet
