// SPDX-License-Identifier: MIT
#include "hessnet/solver/newton_engine.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/eigensolver.hpp"

namespace hessnet {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

NewtonEngine::NewtonEngine(const Communicator& comm, Index n_params, EngineOptions options, const Log& log)
    : comm_(comm), options_(std::move(options)), log_(log) {
  HESSNET_CHECK(options_.block_size >= 1, "block size must be at least 1, got " + std::to_string(options_.block_size));
  const GridShape shape = resolve_grid(options_.grid, comm.size());
  const Index width = assembly_panel_width(n_params, comm.size(), options_.assembly);
  plan_ = plan_memory(comm, n_params, shape, options_.block_size, width, options_.assembly.kernel.chunk_bytes);
  if (comm.is_root() && log_) log_(plan_.describe());
  if (plan_.total_bytes() > plan_.available_bytes)
    throw CollectiveError(fmt::format(  // the plan is agreed, so every rank throws this
        "the Hessian of {} parameters needs {:.2f} GiB per rank but only {:.2f} GiB is available per rank: "
        "run on more ranks or nodes ({})",
        n_params, static_cast<double>(plan_.total_bytes()) / (1 << 30),
        static_cast<double>(plan_.available_bytes) / (1 << 30), plan_.describe()));
  grid_ = std::make_unique<BlacsGrid>(comm, shape);
  hessian_ = std::make_unique<DistMatrix>(*grid_, n_params, n_params, options_.block_size);
}

NewtonEngine::~NewtonEngine() = default;

Evaluation NewtonEngine::evaluate(const Network& net, const Loss& loss, const Regularizer& regularizer,
                                  const Shard& shard) {
  return assemble_hessian(net, loss, regularizer, shard, *hessian_, options_.assembly);
}

double NewtonEngine::smallest_curvature(const Evaluation& evaluation, DampedSystem& system, UpdateReport& report) {
  // Replicated values: every rank takes the same branch.
  if (!std::isfinite(evaluation.loss) || !evaluation.gradient.allFinite())
    return std::numeric_limits<double>::quiet_NaN();
  const auto t0 = std::chrono::steady_clock::now();
  double smallest = std::numeric_limits<double>::quiet_NaN();
  try {
    // pdsyev with UPLO = 'L' reads and reduces the lower triangle and the diagonal only
    // (tests/mpi/test_engine_curvature.cpp checks that the strict upper one survives).
    smallest = smallest_eigenvalue(*hessian_);
  } catch (const CollectiveError& e) {  // agreed on every rank, e.g. no convergence on a NaN
    if (comm_.is_root() && log_) log_(std::string("no curvature this update: ") + e.what());
  }
  system.mark_overwritten(Triangle::Lower);
  report.seconds_curvature = seconds_since(t0);
  return smallest;
}

UpdateReport NewtonEngine::update(Network& net, const Loss& loss, const Regularizer& regularizer,
                                  const Shard& shard, double penalty) {
  const auto t0 = std::chrono::steady_clock::now();
  UpdateReport report;
  const auto assemble = [&] {
    const Evaluation e = evaluate(net, loss, regularizer, shard);
    report.seconds_kernel += e.seconds_kernel;
    report.seconds_reduce += e.seconds_reduce;
    return e;
  };
  const Evaluation evaluation = assemble();
  report.loss = evaluation.loss;
  const auto log = [&](const std::string& line) {
    if (comm_.is_root() && log_) log_(line);
  };
  DampedSystem system(*hessian_, [&] { assemble(); }, options_.damping, log);
  system.reset();
  if (options_.log_curvature) report.min_eigenvalue = smallest_curvature(evaluation, system, report);
  double lambda = penalty;
  if (options_.adaptive && adaptive_lambda_ >= 0) lambda = adaptive_lambda_;
  const Vector theta = net.parameters();
  for (;;) {
    const DampedSolve solved = system.solve(evaluation.gradient, lambda);
    report.seconds_solve += solved.seconds;
    report.escalations += solved.escalations;
    report.lambda = solved.lambda;
    report.status = solved.status;
    if (solved.status != StepStatus::Ok) {
      report.message = solved.status == StepStatus::NonFinite
                           ? "the gradient or the Newton step is not finite; no step applied"
                           : fmt::format("H + lambda I is not positive definite up to lambda = {:g}; no step applied",
                                         solved.lambda);
      break;
    }
    net.set_parameters(theta - solved.step);
    if (!options_.adaptive) break;
    // Levenberg-Marquardt acceptance: keep the step only if the objective went down.
    const double trial = evaluate_gradient(comm_, net, loss, regularizer, shard).loss;
    if (trial < report.loss) {
      adaptive_lambda_ = std::max(solved.lambda / options_.damping.factor, options_.damping.adaptive_floor);
      break;
    }
    net.set_parameters(theta);
    lambda = solved.lambda * options_.damping.factor;
    if (++report.escalations > options_.damping.max_escalations) {
      report.status = StepStatus::DampingCapReached;
      report.message = fmt::format("no step lowered the loss up to lambda = {:g}; no step applied", lambda);
      break;
    }
    log(fmt::format("step with lambda {:g} raised the loss ({:.6g} -> {:.6g}); retrying with lambda {:g}",
                    solved.lambda, report.loss, trial, lambda));
  }
  report.seconds_total = seconds_since(t0);
  return report;
}

}  // namespace hessnet
