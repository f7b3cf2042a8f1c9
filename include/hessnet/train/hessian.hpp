// SPDX-License-Identifier: MIT
#pragma once
/// @file Newton's method on the exact Hessian: neupy's `algorithms.Hessian` over MPI.
#include <memory>

#include "hessnet/train/optimizer.hpp"
#include "hessnet/train/options.hpp"

namespace hessnet {

/// One damped Newton update per epoch on the whole training set:
/// \f$ \theta \leftarrow \theta - (H + \lambda I)^{-1} g \f$ with \f$ \lambda \f$ = penalty_const
/// (raised while H + lambda I is not positive definite), H the exact Hessian of loss +
/// regularizer assembled block-cyclically (NewtonEngine): no rank holds all N x N.
///
/// ```
/// hessnet::Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 0.1, .verbose = true});
/// optimizer.train(x, y, 100);
/// ```
class Hessian : public Optimizer {
 public:
  /// Collective over `comm`. A network with HeNormal weights drawn from options.seed.
  /// Throws (the same CollectiveError on every rank) on a bad option: step given,
  /// penalty_const < 0, show_epoch < 1, an unknown loss name, a bad grid or block size.
  explicit Hessian(const Architecture& architecture, HessianOptions options = {},
                   const Communicator& comm = Communicator());
  /// Collective. Starts from the given parameters.
  explicit Hessian(Network network, HessianOptions options = {}, const Communicator& comm = Communicator());
  ~Hessian() override;

  /// The options as given.
  const HessianOptions& options() const { return options_; }
  /// The distributed Hessian and its grid (e.g. the memory plan).
  const NewtonEngine& engine() const { return *engine_; }

 protected:
  /// Collective. One NewtonEngine::update with lambda = penalty_const.
  UpdateReport update(const Shard& shard) override;
  /// The engine's adaptive lambda, kept in checkpoints.
  double damping_state() const override { return engine_->adaptive_lambda(); }
  void restore_damping_state(double lambda) override { engine_->set_adaptive_lambda(lambda); }

 private:
  /// Validates every option on all ranks (run_agreed) and resolves the shared ones.
  static Settings settings_for(const HessianOptions& options, const Communicator& comm);

  HessianOptions options_;
  std::unique_ptr<NewtonEngine> engine_;
};

}  // namespace hessnet
