// SPDX-License-Identifier: MIT
#include "hessnet/train/hessian_diagonal.hpp"

#include <algorithm>

#include "hessnet/core/stopwatch.hpp"

namespace hessnet {

HessianDiagonal::HessianDiagonal(const Architecture& architecture, HessianDiagonalOptions options,
                                 const Communicator& comm)
    : HessianDiagonal(Network::he_normal(architecture, options.seed), options, comm) {}

HessianDiagonal::HessianDiagonal(Network network, HessianDiagonalOptions options, const Communicator& comm)
    : Optimizer(std::move(network), agreed_options(comm, [&] { return checked_options(options); }),
                settings_of(options), comm),
      options_(std::move(options)) {}

UpdateReport HessianDiagonal::update(DistributedObjective& objective) {
  const Stopwatch clock;
  UpdateReport report;
  const DiagonalEvaluation e = objective.hessian_diagonal(net_.parameters(), options_.chunk_bytes);
  report.loss = e.loss;
  report.gradient_norm = e.gradient.norm();
  report.seconds_kernel = e.seconds_kernel;
  report.seconds_reduce = e.seconds_reduce;
  if (!e.finite() || !e.diagonal.allFinite()) {
    // Replicated values: every rank takes this branch together.
    report.status = StepStatus::NonFinite;
    report.message = "the loss, gradient or Hessian diagonal is not finite; no step applied";
  } else {
    const double cap = 1 / options_.min_eigval;
    const Vector scale = e.diagonal.unaryExpr([cap](double h) { return std::clamp(1 / h, -cap, cap); });
    net_.set_parameters(net_.parameters() - options_.step * e.gradient.cwiseProduct(scale));
  }
  report.seconds_total = clock.seconds();
  return report;
}

}  // namespace hessnet
