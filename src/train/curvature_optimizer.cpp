// SPDX-License-Identifier: MIT
#include "hessnet/train/curvature_optimizer.hpp"

#include <fmt/core.h>

#include <limits>

#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/eigensolver.hpp"

namespace hessnet {

CurvatureOptimizer::CurvatureOptimizer(Network net, OptionList options, Settings settings, const Communicator& comm,
                                       Engine engine)
    : Optimizer(std::move(net), std::move(options), std::move(settings), comm), engine_(std::move(engine)) {
  // An oversized job is refused now; H waits for the first update, whose plan knows the data.
  require_fit(plan_for(0));
}

MemoryPlan CurvatureOptimizer::plan_for(Index samples) const {
  const LayoutOptions& layout = engine_.layout;
  return plan_memory(communicator(), net_.n_params(), resolve_grid(layout.grid, communicator().size()),
                     layout.block_size, layout.assembly, layout.precision,
                     EpochWork{&net_, samples, engine_.log_curvature});
}

void CurvatureOptimizer::provide_storage(const DistributedObjective& objective) {
  const auto samples =
      static_cast<Index>(allreduce_max(communicator(), static_cast<double>(objective.shard().local.size())));  // agreed
  if (storage_ && samples <= planned_samples_) return;
  storage_.reset();  // H is freed before the plan measures what is resident
  const LayoutOptions& layout = engine_.layout;
  storage_ = std::make_unique<HessianStorage>(
      communicator(), net_.n_params(), resolve_grid(layout.grid, communicator().size()), layout.block_size,
      layout.assembly, layout.precision, EpochWork{&net_, samples, engine_.log_curvature});
  planned_samples_ = samples;
  note(storage_->plan().describe());
}

CurvatureOptimizer::~CurvatureOptimizer() = default;

double CurvatureOptimizer::smallest_curvature(const Evaluation& at, DampedSystem& system, UpdateReport& report) {
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

UpdateReport CurvatureOptimizer::update(DistributedObjective& objective) {
  provide_storage(objective);
  const Stopwatch clock;
  UpdateReport report;
  const Vector theta = net_.parameters();
  AssemblyOptions assembly = engine_.layout.assembly;
  // A float32 factorization leaves H's lower triangle intact: the mirror into the upper one
  // is then skipped (the eigensolver of --log-curvature works on both).
  assembly.both_triangles =
      engine_.log_curvature || DampedSystem::needs_upper_triangle(storage_->matrix(), storage_->mixed_precision());
  const Evaluation at = engine_.curvature == Curvature::Exact
                            ? objective.hessian(theta, storage_->matrix(), assembly)
                            : objective.gauss_newton(theta, storage_->matrix(), assembly);
  report.loss = at.loss;
  report.gradient_norm = at.gradient.norm();
  report.seconds_kernel = at.seconds_kernel;
  report.seconds_reduce = at.seconds_reduce;
  report.seconds_exchange = at.seconds_exchange;
  // The float32 copy lives for this update's solves only: the plan counts it apart from the
  // assembly's buffers, which are freed by now.
  const std::unique_ptr<FloatCholesky> single = storage_->float_copy();
  DampedSystem system(storage_->matrix(), engine_.damping, storage_->mirror_width(), single.get());
  system.reset(assembly.both_triangles);
  system.set_indefinite_probe(expect_escalation_);
  if (engine_.log_curvature) report.min_eigenvalue = smallest_curvature(at, system, report);
  StepOutcome step;
  if (at.finite()) {
    step = engine_.rule->step(objective, theta, at, system);
  } else {  // replicated values: the same branch on every rank. No rule can step from here.
    step.status = StepStatus::NonFinite;
    step.message = fmt::format(
        "the training loss ({}) or its gradient is not finite (overflow from the data or the weights); no step applied",
        at.loss);
  }
  report.status = step.status;
  report.lambda = step.lambda;
  report.escalations = step.escalations;
  report.factorizations = step.factorizations;
  expect_escalation_ = system.found_indefinite();
  report.evaluations = step.evaluations;
  report.seconds_solve = step.seconds_solve;
  report.message = std::move(step.message);
  report.notes.insert(report.notes.end(), step.notes.begin(), step.notes.end());
  report.rule_state = engine_.rule->state();
  if (system.fallbacks() > 0)
    report.notes.push_back(
        fmt::format("mixed precision: refinement stalled {} time(s); solved in float64 instead", system.fallbacks()));
  if (step.status == StepStatus::Ok) net_.set_parameters(step.theta);
  report.seconds_total = clock.seconds();
  return report;
}

namespace {

std::unique_ptr<StepRule> hessian_rule(const HessianOptions& o) {
  if (o.adaptive) return std::make_unique<AcceptedDamping>(o.penalty_const, o.damping);
  return std::make_unique<FixedDamping>(o.penalty_const);
}

}  // namespace

Hessian::Hessian(const Architecture& architecture, HessianOptions options, const Communicator& comm)
    : Hessian(Network::he_normal(architecture, options.seed), options, comm) {}

Hessian::Hessian(Network network, HessianOptions options, const Communicator& comm)
    : CurvatureOptimizer(
          std::move(network), agreed_options(comm, [&] { return checked_options(options, comm.size()); }),
          settings_of(options), comm,
          Engine{Curvature::Exact, options.layout, options.damping, options.log_curvature, hessian_rule(options)}),
      options_(std::move(options)) {}

TrustRegion::TrustRegion(const Architecture& architecture, TrustRegionOptions options, const Communicator& comm)
    : TrustRegion(Network::he_normal(architecture, options.seed), options, comm) {}

TrustRegion::TrustRegion(Network network, TrustRegionOptions options, const Communicator& comm)
    : CurvatureOptimizer(
          std::move(network), agreed_options(comm, [&] { return checked_options(options, comm.size()); }),
          settings_of(options), comm,
          Engine{Curvature::Exact, options.layout, options.damping, options.log_curvature,
                 std::make_unique<TrustRegionRule>(TrustRegionRule::Settings{
                     options.initial_radius, options.max_radius, options.eta, options.max_rejections, {}})}),
      options_(std::move(options)) {}

LevenbergMarquardt::LevenbergMarquardt(const Architecture& architecture, LevenbergMarquardtOptions options,
                                       const Communicator& comm)
    : LevenbergMarquardt(Network::he_normal(architecture, options.seed), options, comm) {}

LevenbergMarquardt::LevenbergMarquardt(Network network, LevenbergMarquardtOptions options, const Communicator& comm)
    : CurvatureOptimizer(std::move(network),
                         agreed_options(comm, [&] { return checked_options(options, comm.size()); }),
                         settings_of(options), comm,
                         Engine{Curvature::GaussNewton, options.layout, options.damping, false,
                                std::make_unique<LevenbergMarquardtRule>(LevenbergMarquardtRule::Settings{
                                    options.mu, options.mu_update_factor, options.mu_max, options.retry})}),
      options_(std::move(options)) {}

}  // namespace hessnet
