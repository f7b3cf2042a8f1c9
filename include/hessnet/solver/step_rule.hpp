// SPDX-License-Identifier: MIT
#pragma once
/// @file Step rules: how an optimizer turns the assembled system into the step it applies.
/// The solver (DampedSystem) only solves; a rule decides which lambda to solve with and
/// whether a step is kept, evaluating trial points on the objective where it must.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/optim/update_report.hpp"
#include "hessnet/solver/damped_system.hpp"

namespace hessnet {

/// What a rule decided; the same on every rank.
struct StepOutcome {
  StepStatus status = StepStatus::Ok;
  Vector theta;            ///< the new parameters (empty unless Ok)
  double lambda = 0;       ///< damping of the accepted step, or the last one tried
  int escalations = 0;     ///< lambda raises: failed factorizations and rejected steps
  int factorizations = 0;  ///< Cholesky factorizations attempted
  double seconds_solve = 0;
  std::string message;             ///< why no step was applied, when status != Ok
  std::vector<std::string> notes;  ///< what is worth telling, in order
};

/// Named numbers a rule keeps across updates (and checkpoints), e.g. its damping.
using RuleState = std::map<std::string, double>;

class StepRule {
 public:
  virtual ~StepRule() = default;
  /// Collective. The next parameters from `theta`, at which `at` was evaluated and whose
  /// exact Hessian `system` holds (reset()).
  virtual StepOutcome step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                           DampedSystem& system) = 0;
  /// What the next update starts from; restore() takes the same map back.
  virtual RuleState state() const { return {}; }
  virtual void restore(const RuleState& /*state*/) {}
};

/// neupy's rule: theta - (H + penalty I)^{-1} g, every step applied; lambda grows only while
/// H + lambda I is not positive definite (DampedSystem).
class FixedDamping : public StepRule {
 public:
  explicit FixedDamping(double penalty) : penalty_(penalty) {}
  StepOutcome step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                   DampedSystem& system) override;

 private:
  double penalty_;
};

/// Levenberg-Marquardt acceptance: a step is kept only if it lowers the objective; after a
/// success lambda shrinks by damping.factor (not below damping.adaptive_floor) for the next
/// update, after a failure it grows by the factor and the step is solved again, at most
/// damping.max_escalations times per update. Starts from `penalty`.
class AcceptedDamping : public StepRule {
 public:
  AcceptedDamping(double penalty, DampingOptions damping) : penalty_(penalty), damping_(damping) {}
  StepOutcome step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                   DampedSystem& system) override;
  /// {"lambda": the damping the next update starts with}, empty before the first success.
  RuleState state() const override;
  void restore(const RuleState& state) override;

 private:
  double penalty_;
  DampingOptions damping_;
  double lambda_ = -1;  // < 0: not started
};

}  // namespace hessnet
