// SPDX-License-Identifier: MIT
#include "hessnet/solver/damped_solve.hpp"

#include <fmt/core.h>

#include <chrono>

#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/dist_vector.hpp"
#include "hessnet/solver/cholesky_solve.hpp"

namespace hessnet {

DampedSolve damped_solve(DistMatrix& hessian, const Vector& gradient, double lambda,
                         const DampingOptions& options, const std::function<void()>& restore,
                         const std::function<void(const std::string&)>& log) {
  DampedSolve result;
  result.lambda = lambda;
  if (!gradient.allFinite()) {  // replicated: every rank takes the same branch
    result.status = StepStatus::NonFinite;
    return result;
  }
  for (;;) {
    DistVector rhs(hessian.grid(), hessian.rows(), hessian.block_size());
    rhs.set_from_replicated(gradient);
    hessian.add_to_diagonal(result.lambda);
    const auto t0 = std::chrono::steady_clock::now();
    const SolveResult solved = cholesky_solve(hessian, rhs);
    result.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (solved.status == SolveStatus::Ok) {
      result.step = rhs.to_replicated();
      result.status = result.step.allFinite() ? StepStatus::Ok : StepStatus::NonFinite;
      if (result.status != StepStatus::Ok) result.step.resize(0);
      return result;
    }
    if (result.escalations == options.max_escalations) {
      result.status = StepStatus::DampingCapReached;
      return result;
    }
    const double next = result.lambda > 0 ? result.lambda * options.factor : options.from_zero;
    if (log)
      log(fmt::format("H + {:g} I is not positive definite (leading minor {}); retrying with lambda {:g}",
                      result.lambda, solved.info, next));
    result.lambda = next;
    ++result.escalations;
    restore();
  }
}

}  // namespace hessnet
