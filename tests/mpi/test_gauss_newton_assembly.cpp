// SPDX-License-Identifier: MIT
// The distributed Gauss-Newton matrix (DistributedObjective::gauss_newton) equals the
// single-process one on every grid and block size, with a regularizer and a root loss.
#include <gtest/gtest.h>

#include "finite_difference.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/hessian_storage.hpp"
#include "mpi_test_helpers.hpp"
#include "problems.hpp"

namespace hessnet {
namespace {

TEST(DistributedObjective, GaussNewtonMatrixEqualsTheSingleProcessOneOnEveryGridAndBlockSize) {
  const Communicator world;
  const std::vector<testing::Problem> problems = {
      {Network::he_normal(Input(4) >> Tanh(6) >> Softmax(3), 7), testing::random_matrix(37, 4, 1),
       testing::random_one_hot(37, 3, 2), Loss::named("categorical_crossentropy"), Regularizer::parse("l2:0.01")},
      {Network::he_normal(Input(3) >> Elu(5) >> Linear(2), 3), testing::random_matrix(29, 3, 4),
       testing::random_matrix(29, 2, 5), Loss::named("rmse"), Regularizer{}},
  };
  for (const testing::Problem& p : problems) {
    const Matrix reference =
        dense_derivatives(p.net, p.loss, p.regularizer, p.x, p.y, {}, Curvature::GaussNewton).hessian;
    DistributedObjective objective(world, p.net, p.loss, p.regularizer, p.shard());
    for (const bool overlap : {false, true}) {
      const AssemblyOptions assembly{.panel_width = 9, .overlap = overlap};
      for (const GridShape grid : testing::test_grid_shapes(world.size())) {
        for (const Index nb : {Index{3}, Index{16}}) {
          HessianStorage storage(world, p.net.n_params(), grid, nb, assembly);
          const Evaluation e = objective.gauss_newton(p.net.parameters(), storage.matrix(), assembly);
          const Matrix g = storage.matrix().gather_to_root();
          double error = 0;
          if (world.is_root())
            error = g == g.transpose() ? (g - reference).cwiseAbs().maxCoeff() / reference.cwiseAbs().maxCoeff() : 1.0;
          EXPECT_ALL_RANKS(error <= 1e-12);
          EXPECT_ALL_RANKS(e.finite());
        }
      }
    }
  }
}

}  // namespace
}  // namespace hessnet
