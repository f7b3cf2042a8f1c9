// SPDX-License-Identifier: MIT
// The exact Hessian diagonal without forming H, and the HessianDiagonal optimizer built on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/core/random.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "mpi_test_helpers.hpp"

namespace hessnet {
namespace {

RowMatrix uniform(Index rows, Index cols, std::uint64_t seed, double lo, double hi) {
  Random rng(seed);
  RowMatrix m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = lo + (hi - lo) * rng.uniform();
  return m;
}

RowMatrix one_hot(Index rows, Index classes, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix m = RowMatrix::Zero(rows, classes);
  for (Index s = 0; s < rows; ++s) m(s, static_cast<Index>(rng.below(static_cast<std::uint64_t>(classes)))) = 1;
  return m;
}

/// A network with random, non-zero biases so that every bias entry is exercised.
Network random_network(const Architecture& arch, std::uint64_t seed) {
  Network net = Network::he_normal(arch, seed);
  Random rng(seed + 1);
  Vector theta = net.parameters();
  for (Index k = 0; k < theta.size(); ++k) theta[k] += 0.2 * (rng.uniform() - 0.5);
  net.set_parameters(theta);
  return net;
}

struct Case {
  std::string name;
  Architecture arch;
  std::string loss;
  std::string regularizer;
  RowMatrix targets;
};

std::vector<Case> cases(Index samples) {
  return {
      {"softmax output", Input(3) >> Sigmoid(5) >> Softmax(4), "categorical_crossentropy", "none",
       one_hot(samples, 4, 3)},
      {"root loss with l2", Input(3) >> Tanh(4) >> Linear(2), "rmse", "l2:0.05", uniform(samples, 2, 4, -1, 1)},
      {"no-bias layers", Input(3) >> Tanh(4, false) >> Sigmoid(2, false), "msle", "l2:0.01:all",
       uniform(samples, 2, 5, 0, 1)},
      {"three dense layers", Input(3) >> Elu(5) >> Softplus(4, false) >> Sigmoid(3), "rmsle", "l1:0.01",
       uniform(samples, 3, 6, 0, 1)},
      {"three layers into softmax", Input(3) >> Tanh(6) >> Sigmoid(4) >> Softmax(3), "categorical_crossentropy",
       "l2:0.02", one_hot(samples, 3, 7)},
  };
}

TEST(DistributedObjective, HessianDiagonalEqualsTheDiagonalOfTheDenseHessianForEveryNetLossAndRegularizer) {
  const Communicator world;
  const Index samples = 13;
  const RowMatrix x = uniform(samples, 3, 1, -1, 1);
  for (const Case& c : cases(samples)) {
    SCOPED_TRACE(c.name);
    const Network net = random_network(c.arch, 11);
    const Loss loss = Loss::named(c.loss);
    const Regularizer reg = Regularizer::parse(c.regularizer);
    const DenseDerivatives dense = dense_derivatives(net, loss, reg, x, c.targets);
    const Vector reference = dense.hessian.diagonal();
    const Shard shard = shard_of(world, x, c.targets);
    for (std::size_t chunk_bytes : {std::size_t{1}, std::size_t{32} << 20}) {  // one sample per chunk, and all
      DistributedObjective objective(world, net, loss, reg, shard);
      const DiagonalEvaluation e = objective.hessian_diagonal(net.parameters(), chunk_bytes);
      const double scale = reference.cwiseAbs().maxCoeff();
      EXPECT_ALL_RANKS((e.diagonal - reference).cwiseAbs().maxCoeff() <= 1e-12 * scale);
      EXPECT_ALL_RANKS((e.gradient - dense.gradient).cwiseAbs().maxCoeff() <=
                       1e-12 * dense.gradient.cwiseAbs().maxCoeff());
      EXPECT_ALL_RANKS(std::abs(e.loss - dense.loss) <= 1e-12 * std::abs(dense.loss));
    }
  }
}

TEST(HessianDiagonalOptimizer, UpdatesByTheClippedInverseDiagonalTimesTheGradient) {
  const Communicator world;
  const Index samples = 9;
  const RowMatrix x = uniform(samples, 3, 21, -1, 1);
  const RowMatrix y = uniform(samples, 2, 22, -1, 1);
  const Network start = random_network(Input(3) >> Tanh(4) >> Linear(2), 23);
  const HessianDiagonalOptions options{.min_eigval = 0.5, .step = 0.3, .regularizer = Regularizer::parse("l2:0.01")};
  HessianDiagonal optimizer(start, options);
  optimizer.train(x, y, 1);

  const DenseDerivatives dense = dense_derivatives(start, Loss::named("mse"), options.regularizer, x, y);
  const Vector inverse = dense.hessian.diagonal().unaryExpr([](double h) { return std::clamp(1 / h, -2.0, 2.0); });
  const Vector expected = start.parameters() - 0.3 * dense.gradient.cwiseProduct(inverse);
  EXPECT_ALL_RANKS((optimizer.network().parameters() - expected).cwiseAbs().maxCoeff() <= 1e-12);
  EXPECT_ALL_RANKS(std::abs(optimizer.errors.train.at(0) - dense.loss) <= 1e-12 * dense.loss);
  EXPECT_ALL_RANKS(optimizer.n_updates_made == 1);
}

TEST(HessianDiagonalOptimizer, LowersTheLossOnASmallRegression) {
  const Communicator world;
  const RowMatrix x = uniform(16, 2, 31, -1, 1);
  RowMatrix y(16, 1);
  for (Index s = 0; s < 16; ++s) y(s, 0) = 0.5 * std::sin(2 * x(s, 0)) + 0.3 * x(s, 1);
  HessianDiagonal optimizer(Input(2) >> Tanh(5) >> Linear(1), {.step = 0.5, .seed = 3});
  optimizer.train(x, y, 30);
  const auto& train = optimizer.errors.train;
  ASSERT_ALL_RANKS(train.size() == 30);
  EXPECT_ALL_RANKS(train.back() < 0.5 * train.front());
  EXPECT_ALL_RANKS(optimizer.score(x, y) < train.front());
}

TEST(HessianDiagonalOptimizer, RejectsMinEigvalOutsideTheUnitIntervalAndNonPositiveSteps) {
  const Architecture arch = Input(2) >> Sigmoid(2) >> Sigmoid(1);
  for (double bad : {0.0, -0.1, 1.5}) {
    try {
      HessianDiagonal optimizer(arch, {.min_eigval = bad});
      ADD_FAILURE() << "min_eigval " << bad << " accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("min_eigval"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(HessianDiagonal(arch, {.step = 0}), InvalidArgument);
  EXPECT_THROW(HessianDiagonal(arch, {.show_epoch = 0}), InvalidArgument);
  EXPECT_NO_THROW(HessianDiagonal(arch, {.min_eigval = 1}));
}

}  // namespace
}  // namespace hessnet
