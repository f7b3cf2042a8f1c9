// SPDX-License-Identifier: MIT
// The exact diagonal of the Hessian, computed without forming H, against the dense Hessian.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "finite_difference.hpp"
#include "hessnet/autodiff/hessian_diagonal_kernel.hpp"
#include "hessnet/autodiff/objective_terms.hpp"

namespace hessnet {
namespace {

struct Case {
  std::string name;
  Architecture arch;
  std::string loss;
};

TEST(HessianDiagonalKernel, EqualsTheDiagonalOfTheDenseInnerHessianForAnyChunkSize) {
  const std::vector<Case> cases = {
      {"sigmoid into softmax", Input(3) >> Sigmoid(5) >> Softmax(4), "categorical_crossentropy"},
      {"tanh into linear", Input(3) >> Tanh(4) >> Linear(2), "mse"},
      {"no-bias layers", Input(3) >> Tanh(4, false) >> Sigmoid(2, false), "msle"},
      {"three dense layers", Input(3) >> Elu(5) >> Softplus(4, false) >> Sigmoid(3), "binary_crossentropy"},
  };
  const Index samples = 11;
  const RowMatrix x = testing::random_matrix(samples, 3, 1);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Network net = Network::he_normal(c.arch, 5);
    net.set_parameters(net.parameters() + 0.1 * Vector::Ones(net.n_params()));  // non-zero biases too
    const Loss loss = Loss::named(c.loss);
    const RowMatrix y = c.loss == "categorical_crossentropy"
                            ? testing::random_one_hot(samples, net.outputs(), 2)
                            : testing::random_matrix(samples, net.outputs(), 3, 0.1, 0.9);
    // Without a root loss or a regularizer the objective's Hessian is the inner one.
    const Vector reference = dense_derivatives(net, loss, Regularizer{}, x, y).hessian.diagonal();
    const ShardState state(net, loss, x, y, samples);
    for (const std::size_t chunk_bytes : {std::size_t{1}, std::size_t{4096}, std::size_t{32} << 20}) {
      const Vector diagonal = inner_hessian_diagonal(state, chunk_bytes);
      EXPECT_LE((diagonal - reference).cwiseAbs().maxCoeff(), 1e-12 * reference.cwiseAbs().maxCoeff())
          << "chunk_bytes " << chunk_bytes;
    }
  }
}

TEST(HessianDiagonalKernel, IsZeroForAShardWithoutSamples) {
  const Network net = Network::he_normal(Input(2) >> Tanh(3) >> Linear(1), 1);
  const RowMatrix none(0, 2), targets(0, 1);
  const ShardState state(net, Loss::named("mse"), none, targets, 4);
  EXPECT_EQ(inner_hessian_diagonal(state), Vector::Zero(net.n_params()));
}

}  // namespace
}  // namespace hessnet
