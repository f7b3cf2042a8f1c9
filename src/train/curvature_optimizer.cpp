// SPDX-License-Identifier: MIT
#include "hessnet/train/hessian.hpp"

#include <limits>

#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/eigensolver.hpp"

namespace hessnet {

Hessian::Hessian(const Architecture& architecture, HessianOptions options, const Communicator& comm)
    : Hessian(Network::he_normal(architecture, options.seed), options, comm) {}

Hessian::Hessian(Network network, HessianOptions options, const Communicator& comm)
    : Optimizer(std::move(network), agreed_options(comm, [&] { return checked_options(options, comm.size()); }),
                settings_of(options), comm),
      options_(std::move(options)) {
  const LayoutOptions& layout = options_.layout;
  storage_ = std::make_unique<HessianStorage>(communicator(), net_.n_params(),
                                              resolve_grid(layout.grid, communicator().size()), layout.block_size,
                                              layout.assembly);
  note(storage_->plan().describe());
  if (options_.adaptive)
    rule_ = std::make_unique<AcceptedDamping>(options_.penalty_const, options_.damping);
  else
    rule_ = std::make_unique<FixedDamping>(options_.penalty_const);
}

Hessian::~Hessian() = default;

double Hessian::smallest_curvature(const Evaluation& at, DampedSystem& system, UpdateReport& report) {
  if (!at.finite()) return std::numeric_limits<double>::quiet_NaN();  // replicated: the same branch everywhere
  const Stopwatch clock;
  double smallest = std::numeric_limits<double>::quiet_NaN();
  try {
    // pdsyev with UPLO = 'L' reads and reduces the lower triangle and the diagonal only
    // (tests/mpi/test_hessian_curvature.cpp checks that the strict upper one survives).
    smallest = smallest_eigenvalue(storage_->matrix());
  } catch (const CollectiveError& e) {  // agreed on every rank, e.g. no convergence on a NaN
    report.notes.push_back(std::string("no curvature this update: ") + e.what());
  }
  system.mark_overwritten(Triangle::Lower);
  report.seconds_curvature = clock.seconds();
  return smallest;
}

UpdateReport Hessian::update(DistributedObjective& objective) {
  const Stopwatch clock;
  UpdateReport report;
  const Vector theta = net_.parameters();
  const Evaluation at = objective.hessian(theta, storage_->matrix(), options_.layout.assembly);
  report.loss = at.loss;
  report.seconds_kernel = at.seconds_kernel;
  report.seconds_reduce = at.seconds_reduce;
  DampedSystem system(storage_->matrix(), options_.damping, storage_->mirror_width());
  system.reset();
  if (options_.log_curvature) report.min_eigenvalue = smallest_curvature(at, system, report);
  StepOutcome step = rule_->step(objective, theta, at, system);
  report.status = step.status;
  report.lambda = step.lambda;
  report.escalations = step.escalations;
  report.factorizations = step.factorizations;
  report.seconds_solve = step.seconds_solve;
  report.message = std::move(step.message);
  report.notes.insert(report.notes.end(), step.notes.begin(), step.notes.end());
  if (step.status == StepStatus::Ok) net_.set_parameters(step.theta);
  report.seconds_total = clock.seconds();
  return report;
}

}  // namespace hessnet
