// SPDX-License-Identifier: MIT
#include "hessnet/solver/step_rule.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace hessnet {
namespace {

/// The outcome of one damped solve; Ok only when it gave a step.
StepOutcome outcome_of(DampedSolve&& solved, const Vector& theta) {
  StepOutcome out;
  out.status = solved.status;
  out.lambda = solved.lambda;
  out.escalations = solved.escalations;
  out.factorizations = solved.factorizations;
  out.seconds_solve = solved.seconds;
  out.notes = std::move(solved.notes);
  if (solved.status == StepStatus::Ok)
    out.theta = theta - solved.step;
  else if (solved.status == StepStatus::NonFinite)
    out.message = "the gradient or the Newton step is not finite; no step applied";
  else
    out.message =
        fmt::format("H + lambda I is not positive definite up to lambda = {:g}; no step applied", solved.lambda);
  return out;
}

/// Adds what a later solve did to an outcome that continues.
void absorb(StepOutcome& total, StepOutcome&& next) {
  const int escalations = total.escalations, factorizations = total.factorizations;
  const double seconds = total.seconds_solve;
  std::vector<std::string> notes = std::move(total.notes);
  notes.insert(notes.end(), next.notes.begin(), next.notes.end());
  total = std::move(next);
  total.escalations += escalations;
  total.factorizations += factorizations;
  total.seconds_solve += seconds;
  total.notes = std::move(notes);
}

}  // namespace

StepOutcome FixedDamping::step(DistributedObjective&, const Vector& theta, const Evaluation& at, DampedSystem& system) {
  return outcome_of(system.solve(at.gradient, penalty_), theta);
}

StepOutcome AcceptedDamping::step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                                  DampedSystem& system) {
  double lambda = lambda_ >= 0 ? lambda_ : penalty_;
  StepOutcome total;
  for (;;) {
    absorb(total, outcome_of(system.solve(at.gradient, lambda), theta));
    if (total.status != StepStatus::Ok) return total;
    const double trial = objective.value(total.theta).loss;
    if (trial < at.loss) {
      lambda_ = std::max(total.lambda / damping_.factor, damping_.adaptive_floor);
      return total;
    }
    lambda = total.lambda * damping_.factor;
    if (++total.escalations > damping_.max_escalations) {
      total.status = StepStatus::DampingCapReached;
      total.theta.resize(0);
      total.message = fmt::format("no step lowered the loss up to lambda = {:g}; no step applied", lambda);
      return total;
    }
    total.notes.push_back(
        fmt::format("step with lambda {:g} raised the loss ({:.6g} -> {:.6g}); retrying with lambda {:g}", total.lambda,
                    at.loss, trial, lambda));
  }
}

RuleState AcceptedDamping::state() const {
  if (lambda_ < 0) return {};
  return {{"lambda", lambda_}};
}

void AcceptedDamping::restore(const RuleState& state) {
  const auto it = state.find("lambda");
  lambda_ = it == state.end() ? -1 : it->second;
}

}  // namespace hessnet
