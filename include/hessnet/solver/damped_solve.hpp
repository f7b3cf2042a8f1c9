// SPDX-License-Identifier: MIT
#pragma once
/// @file The damped Newton system (H + lambda I) x = g, with lambda raised until it is SPD.
#include <functional>
#include <string>

#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

enum class StepStatus {
  Ok,                 ///< x solves (H + lambda I) x = g with the returned lambda
  DampingCapReached,  ///< H + lambda I was not positive definite up to the cap
  NonFinite           ///< g or the solution held NaN/Inf: no step must be applied
};

struct DampingOptions {
  double factor = 10;        ///< lambda multiplier after a failed factorization
  int max_escalations = 12;  ///< lambda may grow to lambda * factor^max_escalations
  double from_zero = 1e-3;   ///< first lambda tried when escalating from 0
};

struct DampedSolve {
  StepStatus status = StepStatus::Ok;
  Vector step;         ///< x, replicated on every rank (empty unless Ok)
  double lambda = 0;   ///< the lambda that worked (or the last one tried)
  int escalations = 0; ///< how many times lambda was raised
  double seconds = 0;  ///< in factorizations and solves
};

/// Collective over H's grid. Solves \f$ (H + \lambda I) x = g \f$ by Cholesky (pdposv), H
/// given by its lower triangle. A factorization that finds H + lambda I not positive definite
/// (agreed on all ranks) destroys H, so `restore` is called to rebuild it before lambda is
/// multiplied by `factor` and the solve retried; `log` hears of each escalation.
/// On return H holds the factor (or garbage): call `restore` before reusing it.
/// @return Ok; DampingCapReached after max_escalations; NonFinite when g or x is not finite.
DampedSolve damped_solve(DistMatrix& hessian, const Vector& gradient, double lambda,
                         const DampingOptions& options, const std::function<void()>& restore,
                         const std::function<void(const std::string&)>& log);

}  // namespace hessnet
