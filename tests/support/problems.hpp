// SPDX-License-Identifier: MIT
#pragma once
// Small training problems shared by the MPI tests.
#include <memory>
#include <optional>

#include "hessnet/autodiff/objective_terms.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/io/shard.hpp"
#include "hessnet/train/hessian.hpp"

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

/// A Hessian optimizer on a problem's data and objective, one epoch per step().
class HessianStepper {
 public:
  /// Collective. `options` loss and regularizer are replaced by the problem's.
  HessianStepper(const Problem& p, HessianOptions options) : shard_(p.shard()) {
    options.loss = p.loss;
    options.regularizer = p.regularizer;
    options.signals.update_end = [this](const UpdateEnd& e) { report_ = e.report; };
    optimizer_ = std::make_unique<Hessian>(p.net, std::move(options));
  }
  /// Collective. One epoch; the report of its update.
  UpdateReport step() {
    report_.reset();
    optimizer_->train(shard_, 1);
    return report_.value();
  }
  const Network& net() const { return optimizer_->network(); }
  const Hessian& optimizer() const { return *optimizer_; }

 private:
  Shard shard_;
  std::optional<UpdateReport> report_;
  std::unique_ptr<Hessian> optimizer_;
};

}  // namespace hessnet::testing
