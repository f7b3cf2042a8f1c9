// SPDX-License-Identifier: MIT
#pragma once
/// @file Newton's method on the exact Hessian: neupy's `algorithms.Hessian` over MPI.
#include <memory>

#include "hessnet/dist/hessian_storage.hpp"
#include "hessnet/optim/options.hpp"
#include "hessnet/solver/step_rule.hpp"
#include "hessnet/train/optimizer.hpp"

namespace hessnet {

/// One damped Newton update per epoch on the whole training set:
/// \f$ \theta \leftarrow \theta - (H + \lambda I)^{-1} g \f$ with \f$ \lambda \f$ = penalty_const
/// (raised while H + lambda I is not positive definite), H the exact Hessian of loss +
/// regularizer assembled block-cyclically (HessianStorage): no rank holds all N x N.
///
/// ```
/// hessnet::Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 0.1, .verbose = true});
/// optimizer.train(x, y, 100);
/// ```
class Hessian : public Optimizer {
 public:
  /// Collective over `comm`. A network with HeNormal weights drawn from options.seed.
  /// Throws (the same CollectiveError on every rank) on a bad option (checked_options) or
  /// when the distributed Hessian would not fit the memory of the ranks (HessianStorage).
  explicit Hessian(const Architecture& architecture, HessianOptions options = {},
                   const Communicator& comm = Communicator());
  /// Collective. Starts from the given parameters.
  explicit Hessian(Network network, HessianOptions options = {}, const Communicator& comm = Communicator());
  ~Hessian() override;

  /// The options as given.
  const HessianOptions& options() const { return options_; }
  /// The distributed Hessian, its grid and memory plan.
  const HessianStorage& storage() const { return *storage_; }

 protected:
  /// Collective. Assembles H at the current parameters, optionally finds its smallest
  /// eigenvalue, and applies the step rule's step (FixedDamping, or AcceptedDamping when
  /// adaptive).
  UpdateReport update(DistributedObjective& objective) override;
  RuleState rule_state() const override { return rule_->state(); }
  void restore_rule_state(const RuleState& state) override { rule_->restore(state); }

 private:
  /// Collective. The smallest eigenvalue of the H just assembled, from its lower triangle,
  /// which it then marks overwritten in `system`; NaN when `at` is not finite.
  double smallest_curvature(const Evaluation& at, DampedSystem& system, UpdateReport& report);

  HessianOptions options_;
  std::unique_ptr<HessianStorage> storage_;
  std::unique_ptr<StepRule> rule_;
};

}  // namespace hessnet
