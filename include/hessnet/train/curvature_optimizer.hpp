// SPDX-License-Identifier: MIT
#pragma once
/// @file The optimizers that solve with a distributed curvature matrix: neupy's Hessian,
/// TrustRegion and LevenbergMarquardt.
#include <memory>

#include "hessnet/dist/hessian_storage.hpp"
#include "hessnet/optim/options.hpp"
#include "hessnet/solver/step_rule.hpp"
#include "hessnet/train/optimizer.hpp"

namespace hessnet {

/// An optimizer whose update assembles a curvature matrix, the exact Hessian or the
/// Gauss-Newton matrix, block-cyclically (HessianStorage: no rank holds all N x N) and lets
/// its step rule take the step on it (DampedSystem). The subclasses differ in the matrix and
/// the rule only.
class CurvatureOptimizer : public Optimizer {
 public:
  ~CurvatureOptimizer() override;
  /// The distributed matrix, its grid and memory plan; allocated by the first update.
  const HessianStorage& storage() const { return *storage_; }
  /// The memory plan of the last update, nullptr before the first.
  const MemoryPlan* plan() const { return storage_ ? &storage_->plan() : nullptr; }

 protected:
  /// What the subclass chooses.
  struct Engine {
    Curvature curvature = Curvature::Exact;
    LayoutOptions layout;
    DampingOptions damping;
    bool log_curvature = false;
    std::unique_ptr<StepRule> rule;
  };
  /// Collective. Checks the memory plan without the data (the same CollectiveError on every
  /// rank when it does not fit); the matrix is allocated by the first update.
  CurvatureOptimizer(Network net, OptionList options, Settings settings, const Communicator& comm, Engine engine);

  /// Collective. Assembles the matrix at the current parameters, optionally finds its
  /// smallest eigenvalue, and applies the rule's step.
  UpdateReport update(DistributedObjective& objective) override;
  RuleState rule_state() const override { return engine_.rule->state(); }
  void restore_rule_state(const RuleState& state) override { engine_.rule->restore(state); }

 private:
  /// Collective. The smallest eigenvalue of the matrix just assembled, from its lower
  /// triangle, which it then marks overwritten in `system`; NaN when `at` is not finite.
  double smallest_curvature(const Evaluation& at, DampedSystem& system, UpdateReport& report);
  /// Collective. The memory plan of an epoch on `samples` samples per rank (0: unknown).
  MemoryPlan plan_for(Index samples) const;
  /// Collective. Allocates the matrix on the first update, and again with a new plan when
  /// the shards grew beyond the planned samples (HessianStorage; notes the plan).
  void provide_storage(const DistributedObjective& objective);

  Engine engine_;
  std::unique_ptr<HessianStorage> storage_;
  /// The first update, and one after an update that found H + lambda I indefinite, probe for
  /// indefiniteness before factoring (DampedSystem::set_indefinite_probe; the rules that
  /// solve through DampedSystem::solve: hessian, its adaptive mode, levenberg-marquardt).
  bool expect_escalation_ = true;
  Index planned_samples_ = 0;
};

/// One damped Newton update per epoch on the whole training set (neupy's `algorithms.Hessian`):
/// \f$ \theta \leftarrow \theta - (H + \lambda I)^{-1} g \f$ with \f$ \lambda \f$ = penalty_const,
/// raised while H + lambda I is not positive definite (from the bound the failed leading
/// minor implies); with `adaptive`, a step is kept only if it lowers the loss.
///
/// ```
/// hessnet::Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 0.1, .verbose = true});
/// optimizer.train(x, y, 100);
/// ```
class Hessian : public CurvatureOptimizer {
 public:
  /// Collective over `comm`. A network with HeNormal weights drawn from options.seed.
  /// Throws (the same CollectiveError on every rank) on a bad option (checked_options) or
  /// when the distributed Hessian would not fit the memory of the ranks (HessianStorage).
  explicit Hessian(const Architecture& architecture, HessianOptions options = {},
                   const Communicator& comm = Communicator());
  /// Collective. Starts from the given parameters.
  explicit Hessian(Network network, HessianOptions options = {}, const Communicator& comm = Communicator());

  /// The options as given.
  const HessianOptions& options() const { return options_; }

 private:
  HessianOptions options_;
};

/// Exact-Hessian trust-region Newton: each update solves the trust-region subproblem nearly
/// exactly (Moré–Sorensen on the distributed Cholesky factorization) and adapts the radius
/// from the ratio of actual to predicted decrease (TrustRegionRule; docs/trust-region.md).
class TrustRegion : public CurvatureOptimizer {
 public:
  explicit TrustRegion(const Architecture& architecture, TrustRegionOptions options = {},
                       const Communicator& comm = Communicator());
  explicit TrustRegion(Network network, TrustRegionOptions options = {}, const Communicator& comm = Communicator());
  const TrustRegionOptions& options() const { return options_; }

 private:
  TrustRegionOptions options_;
};

/// Levenberg-Marquardt on the (generalised) Gauss-Newton matrix J^T M J, assembled exactly by
/// the Hessian kernel's BLAS-3 machinery (neupy's `algorithms.LevenbergMarquardt`; with
/// `retry`, MATLAB's trainlm; LevenbergMarquardtRule).
class LevenbergMarquardt : public CurvatureOptimizer {
 public:
  explicit LevenbergMarquardt(const Architecture& architecture, LevenbergMarquardtOptions options = {},
                              const Communicator& comm = Communicator());
  explicit LevenbergMarquardt(Network network, LevenbergMarquardtOptions options = {},
                              const Communicator& comm = Communicator());
  const LevenbergMarquardtOptions& options() const { return options_; }

 private:
  LevenbergMarquardtOptions options_;
};

}  // namespace hessnet
