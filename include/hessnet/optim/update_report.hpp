// SPDX-License-Identifier: MIT
#pragma once
/// @file What one epoch's update did: status, damping, counts and timings.
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace hessnet {

/// Outcome of an update; the same on every rank.
enum class StepStatus {
  Ok,                 ///< the step was applied
  DampingCapReached,  ///< H + lambda I was not positive definite (or no step lowered the loss) up to the cap
  NonFinite           ///< the loss, gradient or step held NaN/Inf: no step was applied
};

/// Named numbers a step rule keeps across updates and checkpoints: "lambda" (the adaptive
/// damping), "radius" (the trust region), "mu" (Levenberg-Marquardt), ...
using RuleState = std::map<std::string, double>;

/// What one update did, for the update_end callback, logs and benchmarks.
struct UpdateReport {
  StepStatus status = StepStatus::Ok;
  double loss = 0;         ///< objective at the parameters before the update
  double lambda = 0;       ///< damping of the applied step (0 for HessianDiagonal)
  int escalations = 0;     ///< lambda raises (failed factorizations or rejected steps)
  int factorizations = 0;  ///< Cholesky factorizations attempted, failed ones included
  int evaluations = 0;     ///< objective values at trial points (passes over the data besides the update's own)
  /// |g| at the parameters before the update.
  double gradient_norm = std::numeric_limits<double>::quiet_NaN();
  RuleState rule_state;  ///< the step rule's state after the update (radius, mu, lambda)
  /// Smallest eigenvalue of H (without damping) at the parameters before the update, when
  /// the curvature is logged; NaN otherwise, or when H is not finite.
  double min_eigenvalue = std::numeric_limits<double>::quiet_NaN();
  double seconds_kernel = 0, seconds_reduce = 0, seconds_solve = 0, seconds_total = 0;
  double seconds_curvature = 0;  ///< in the eigensolve of the curvature (part of seconds_total)
  double seconds_exchange = 0;   ///< of seconds_reduce: the Hessian panels' exchange (Evaluation)
  std::string message;           ///< why the step was not applied, when status != Ok
  /// What the solver did worth telling, in order (e.g. a raised damping); the same on every
  /// rank. A verbose optimizer prints them.
  std::vector<std::string> notes;
};

}  // namespace hessnet
