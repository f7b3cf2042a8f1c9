// SPDX-License-Identifier: MIT
#include "hessnet/solver/step_rule.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <optional>

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
  const int escalations = total.escalations, factorizations = total.factorizations, evaluations = total.evaluations;
  const double seconds = total.seconds_solve;
  std::vector<std::string> notes = std::move(total.notes);
  notes.insert(notes.end(), next.notes.begin(), next.notes.end());
  total = std::move(next);
  total.escalations += escalations;
  total.factorizations += factorizations;
  total.evaluations += evaluations;
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
    ++total.evaluations;
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

StepOutcome TrustRegionRule::step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                                  DampedSystem& system) {
  StepOutcome out;
  const double start = system.seconds();
  for (int attempt = 0;; ++attempt) {
    SubproblemSolution sub = solve_trust_region_subproblem(system, at.gradient, radius_, lambda_, settings_.subproblem);
    out.factorizations += sub.factorizations;
    out.notes.insert(out.notes.end(), sub.notes.begin(), sub.notes.end());
    out.lambda = sub.lambda;
    if (sub.step.size() == 0) {
      out.status = StepStatus::NonFinite;
      out.message = "the trust-region step is not finite; no step applied";
      break;
    }
    if (!(sub.predicted_decrease > 0)) {  // g = 0 and H positive semidefinite: nothing to gain
      out.theta = theta;
      out.notes.push_back("the model predicts no decrease (a stationary point): parameters unchanged");
      break;
    }
    Vector trial = theta + sub.step;
    const double loss = objective.value(trial).loss;
    ++out.evaluations;
    const double ratio = (at.loss - loss) / sub.predicted_decrease;  // NaN for a NaN loss: rejected
    const double before = radius_;
    if (!(ratio >= 0.25))
      radius_ = 0.25 * radius_;
    else if (ratio > 0.75 && sub.on_boundary)
      radius_ = std::min(2 * radius_, settings_.max_radius);
    lambda_ = sub.lambda;  // the next subproblem starts from this multiplier
    if (ratio > settings_.eta) {
      out.theta = std::move(trial);
      break;
    }
    out.notes.push_back(fmt::format("step rejected: actual / predicted decrease {:.3g}; radius {:.4g} -> {:.4g}", ratio,
                                    before, radius_));
    // Backtracking along the rejected step (Nocedal & Yuan, "Combining trust region and line
    // search techniques", 1998): s is a descent direction, so some alpha s with alpha < 1
    // decreases f enough (Armijo), for a few losses and no new factorization.
    if (std::isfinite(loss)) {
      if (auto alpha = backtrack(objective, theta, at, sub.step, loss, out.evaluations)) {
        out.theta = theta + *alpha * sub.step;
        radius_ = std::min(radius_, *alpha * sub.step.norm());
        out.notes.push_back(fmt::format("took {:.3g} of the step instead; radius {:.4g}", *alpha, radius_));
        break;
      }
    }
    if (attempt + 1 >= settings_.max_rejections) {
      out.theta = theta;
      out.notes.push_back(fmt::format("no acceptable step in {} tries: parameters unchanged this update", attempt + 1));
      break;
    }
  }
  out.seconds_solve = system.seconds() - start;
  return out;
}

std::optional<double> TrustRegionRule::backtrack(DistributedObjective& objective, const Vector& theta,
                                                 const Evaluation& at, const Vector& step, double full_loss,
                                                 int& evaluations) {
  const double slope = at.gradient.dot(step);  // phi'(0) < 0
  if (!(slope < 0)) return std::nullopt;
  // The minimizer of the quadratic through phi(0), phi'(0) and phi(1), kept in [0.1, 0.5].
  const double curvature = full_loss - at.loss - slope;
  double alpha = curvature > 0 ? std::clamp(-slope / (2 * curvature), 0.1, 0.5) : 0.5;
  for (int k = 0; k < 3; ++k, alpha *= 0.5) {
    const double loss = objective.value(theta + alpha * step).loss;
    ++evaluations;
    if (loss <= at.loss + 1e-4 * alpha * slope) return alpha;
  }
  return std::nullopt;
}

RuleState TrustRegionRule::state() const { return {{"radius", radius_}, {"lambda", lambda_}}; }

void TrustRegionRule::restore(const RuleState& state) {
  if (const auto it = state.find("radius"); it != state.end()) radius_ = it->second;
  if (const auto it = state.find("lambda"); it != state.end()) lambda_ = it->second;
}

StepOutcome LevenbergMarquardtRule::step(DistributedObjective& objective, const Vector& theta, const Evaluation& at,
                                         DampedSystem& system) {
  // (J^T J + mu I) d = J^T e is (G + 2 mu / c I) d = g for the loss (1/c) sum e^2.
  const double c = objective.loss().normalizer(objective.shard().total, objective.network().outputs());
  const auto lambda_of = [c](double mu) { return 2 * mu / c; };
  if (!settings_.retry) {
    // neupy: mu grows when the loss went up since the last update, else shrinks (also at
    // the first update, which has nothing to compare with).
    mu_ = last_loss_ < at.loss ? mu_ * settings_.factor : mu_ / settings_.factor;
    last_loss_ = at.loss;
    return outcome_of(system.solve(at.gradient, lambda_of(mu_)), theta);
  }
  StepOutcome total;
  for (;;) {
    absorb(total, outcome_of(system.solve(at.gradient, lambda_of(mu_)), theta));
    if (total.status != StepStatus::Ok) return total;
    const double trial = objective.value(total.theta).loss;
    ++total.evaluations;
    if (trial < at.loss) {
      mu_ /= settings_.factor;
      return total;
    }
    const double tried = mu_;
    mu_ *= settings_.factor;
    if (mu_ > settings_.mu_max) {
      total.status = StepStatus::DampingCapReached;
      total.theta.resize(0);
      total.message = fmt::format("no step lowered the loss up to mu = {:g} (mu_max {:g}); no step applied", tried,
                                  settings_.mu_max);
      return total;
    }
    total.notes.push_back(fmt::format("step with mu {:g} raised the loss ({:.6g} -> {:.6g}); retrying with mu {:g}",
                                      tried, at.loss, trial, mu_));
  }
}

RuleState LevenbergMarquardtRule::state() const {
  RuleState state{{"mu", mu_}};
  if (std::isfinite(last_loss_)) state["last_loss"] = last_loss_;
  return state;
}

void LevenbergMarquardtRule::restore(const RuleState& state) {
  if (const auto it = state.find("mu"); it != state.end()) mu_ = it->second;
  const auto it = state.find("last_loss");
  last_loss_ = it == state.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

}  // namespace hessnet
