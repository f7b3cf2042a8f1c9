// SPDX-License-Identifier: MIT
#include "hessnet/train/hessian_diagonal.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/train/diagonal_objective.hpp"

namespace hessnet {

Optimizer::Settings HessianDiagonal::settings_for(const HessianDiagonalOptions& o, const Communicator& comm) {
  std::optional<Settings> settings;
  run_agreed(comm, [&] {
    if (!(o.min_eigval > 0 && o.min_eigval <= 1))
      throw InvalidArgument(fmt::format("option min_eigval must be in (0, 1], got {}", o.min_eigval));
    if (!(o.step > 0) || !std::isfinite(o.step))
      throw InvalidArgument(fmt::format("option step must be a finite number > 0, got {}", o.step));
    check_show_epoch(o.show_epoch);
    settings = common_settings("HessianDiagonal", o);
    settings->options.emplace_back("min_eigval", fmt::format("{}", o.min_eigval));
    settings->options.emplace_back("step", fmt::format("{}", o.step));
  });
  return std::move(*settings);
}

HessianDiagonal::HessianDiagonal(const Architecture& architecture, HessianDiagonalOptions options,
                                 const Communicator& comm)
    : HessianDiagonal(Network::he_normal(architecture, options.seed), options, comm) {}

HessianDiagonal::HessianDiagonal(Network network, HessianDiagonalOptions options, const Communicator& comm)
    : Optimizer(std::move(network), settings_for(options, comm), comm), options_(std::move(options)) {}

UpdateReport HessianDiagonal::update(const Shard& shard) {
  const auto t0 = std::chrono::steady_clock::now();
  UpdateReport report;
  const DiagonalEvaluation e =
      evaluate_hessian_diagonal(communicator(), net_, loss(), regularizer(), shard, options_.chunk_bytes);
  report.loss = e.loss;
  report.seconds_kernel = e.seconds_kernel;
  report.seconds_reduce = e.seconds_reduce;
  if (!std::isfinite(e.loss) || !e.gradient.allFinite() || !e.diagonal.allFinite()) {
    // Replicated values: every rank takes this branch together.
    report.status = StepStatus::NonFinite;
    report.message = "the loss, gradient or Hessian diagonal is not finite; no step applied";
  } else {
    const double cap = 1 / options_.min_eigval;
    const Vector scale = e.diagonal.unaryExpr([cap](double h) { return std::clamp(1 / h, -cap, cap); });
    net_.set_parameters(net_.parameters() - options_.step * e.gradient.cwiseProduct(scale));
  }
  report.seconds_total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace hessnet
