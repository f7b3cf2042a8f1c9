// SPDX-License-Identifier: MIT
#pragma once
// Small training problems shared by the MPI tests.
#include "hessnet/autodiff/objective.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/io/shard.hpp"

namespace hessnet::testing {

/// The four XOR samples (inputs 4 x 2, targets 4 x 1).
struct Xor {
  RowMatrix x{4, 2}, y{4, 1};
  Xor() {
    x << 0, 0, 0, 1, 1, 0, 1, 1;
    y << 0, 1, 1, 0;
  }
};

/// A network, its data and objective, sharded over MPI_COMM_WORLD as the CLI would load it.
struct Problem {
  Network net;
  RowMatrix x, y;
  Loss loss;
  Regularizer regularizer;

  /// This rank's contiguous rows.
  Shard shard() const {
    const Communicator world = Communicator::world();
    const auto [begin, end] = shard_rows(x.rows(), world.rank(), world.size());
    return Shard{Dataset{x.middleRows(begin, end - begin), y.middleRows(begin, end - begin)}, begin, x.rows()};
  }
  /// Single-process reference: gradient and dense Hessian of the whole objective.
  DenseDerivatives dense() const { return dense_derivatives(net, loss, regularizer, x, y); }
};

}  // namespace hessnet::testing
