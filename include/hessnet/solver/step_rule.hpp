// SPDX-License-Identifier: MIT
#pragma once
/// @file Step rules: how an optimizer turns the assembled system into the step it applies.
/// The solver (DampedSystem) only solves; a rule decides which lambda to solve with and
/// whether a step is kept, evaluating trial points on the objective where it must.
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/optim/update_report.hpp"
#include "hessnet/solver/damped_system.hpp"
#include "hessnet/solver/trust_region_subproblem.hpp"

namespace hessnet {

/// What a rule decided; the same on every rank.
struct StepOutcome {
  StepStatus status = StepStatus::Ok;
  Vector theta;            ///< the new parameters (empty unless Ok)
  double lambda = 0;       ///< damping of the accepted step, or the last one tried
  int escalations = 0;     ///< lambda raises: failed factorizations and rejected steps
  int factorizations = 0;  ///< Cholesky factorizations attempted
  int evaluations = 0;     ///< objective values computed at trial points
  double seconds_solve = 0;
  std::string message;             ///< why no step was applied, when status != Ok
  std::vector<std::string> notes;  ///< what is worth telling, in order
};

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

/// Exact-Hessian trust region (Nocedal & Wright, Algorithm 4.1): each step solves the
/// subproblem in the current radius (solve_trust_region_subproblem), and is kept when the
/// actual decrease of the objective is more than `eta` of the model's. The radius shrinks to a
/// quarter when that ratio is below 1/4 and doubles (up to max_radius) when it is above 3/4
/// with the step on the boundary. A rejected step is solved again in the smaller radius from
/// the same H (one assembly per update), at most max_rejections times, unless backtracking
/// along it finds a fraction of the step that decreases f enough (no new factorization).
class TrustRegionRule : public StepRule {
 public:
  struct Settings {
    double initial_radius = 1;
    double max_radius = 1000;
    double eta = 0.15;
    int max_rejections = 10;
    SubproblemOptions subproblem = {};
  };
  explicit TrustRegionRule(Settings settings) : settings_(settings), radius_(settings.initial_radius) {}
  StepOutcome step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                   DampedSystem& system) override;
  /// Collective. A fraction alpha of a rejected step that satisfies Armijo's condition
  /// f(theta + alpha s) <= f(theta) + 1e-4 alpha g^T s, from at most three trial losses
  /// (quadratic interpolation, then halving); none when they all fail.
  static std::optional<double> backtrack(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                                         const Vector& step, double full_loss, int& evaluations);
  /// {"radius", "lambda"}: the radius and the multiplier of the last subproblem.
  RuleState state() const override;
  void restore(const RuleState& state) override;

 private:
  Settings settings_;
  double radius_;
  double lambda_ = 0;
};

/// Levenberg-Marquardt on the Gauss-Newton matrix G: the step solves
/// \f$ (J^T J + \mu I) \delta = J^T e \f$ for the residuals e over all samples and outputs, i.e.
/// \f$ (G + (2 \mu / c) I) \delta = g \f$ with c the loss normalizer (S n for mse), so mu has
/// neupy's and MATLAB's scale.
/// - neupy (retry off): every step is applied; before it, mu is multiplied by the factor when
///   the loss went up since the previous update and divided by it otherwise.
/// - MATLAB trainlm (retry on): a step that does not lower the loss is rejected and solved
///   again with mu times the factor, until one does (then mu is divided by the factor for the
///   next update) or mu exceeds mu_max (no step; training stops).
class LevenbergMarquardtRule : public StepRule {
 public:
  struct Settings {
    double mu = 0.01;
    double factor = 1.2;
    double mu_max = 1e10;
    bool retry = false;
  };
  explicit LevenbergMarquardtRule(Settings settings) : settings_(settings), mu_(settings.mu) {}
  StepOutcome step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                   DampedSystem& system) override;
  /// {"mu", "last_loss"} (last_loss only after the first update).
  RuleState state() const override;
  void restore(const RuleState& state) override;

 private:
  Settings settings_;
  double mu_;
  double last_loss_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace hessnet
