// SPDX-License-Identifier: MIT
#include "hessnet/dist/distributed_objective.hpp"

#include <cmath>
#include <optional>

#include "hessnet/autodiff/hessian_diagonal_kernel.hpp"
#include "hessnet/core/error.hpp"
#include "hessnet/core/parallel.hpp"
#include "hessnet/core/stopwatch.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/memory_plan.hpp"
#include "hessnet/dist/panel_assembler.hpp"

namespace hessnet {
namespace {

/// Collective. This rank's forward and backward pass. The loss may throw on some ranks only
/// (a user's function), so the ranks agree on that before any other collective.
ShardState agreed_state(const Communicator& comm, const Network& net, const Loss& loss, const Shard& shard,
                        Curvature curvature = Curvature::Exact) {
  std::optional<ShardState> state;
  run_agreed(comm, [&] { state.emplace(net, loss, shard.local.inputs, shard.local.targets, shard.total, curvature); });
  return std::move(*state);
}

Evaluation evaluation_of(const ObjectiveTerms& terms) {
  Evaluation e;
  e.loss = terms.loss();
  e.data_loss = terms.data_loss();
  e.gradient = terms.gradient();
  return e;
}

}  // namespace

DistributedObjective::DistributedObjective(const Communicator& comm, Network network, Loss loss,
                                           Regularizer regularizer, Shard shard)
    : comm_(comm),
      network_(std::move(network)),
      loss_(std::move(loss)),
      regularizer_(regularizer),
      shard_(std::move(shard)) {
  require_targets_in_domain(comm_, loss_, shard_, "the training data");
}

void DistributedObjective::permute(const std::vector<Index>& permutation) {
  permute_samples(comm_, shard_, permutation);
}

ObjectiveTerms DistributedObjective::reduce_terms(const ShardState& state) {
  Vector g = state.inner_gradient();
  allreduce_sum(comm_, g);
  return ObjectiveTerms(network_, loss_, regularizer_, allreduce_sum(comm_, state.inner_loss()), std::move(g),
                        state.curvature_kind());
}

Evaluation DistributedObjective::value(const Vector& theta) {
  const Stopwatch clock;
  network_.set_parameters(theta);
  Evaluation e;
  e.data_loss = data_loss(comm_, network_, loss_, shard_);
  e.loss = e.data_loss + regularizer_.value(network_);
  e.seconds_kernel = clock.seconds();
  return e;
}

Evaluation DistributedObjective::gradient(const Vector& theta) {
  const Stopwatch clock;
  network_.set_parameters(theta);
  const ShardState state = agreed_state(comm_, network_, loss_, shard_);
  Evaluation e = evaluation_of(reduce_terms(state));
  e.seconds_kernel = clock.seconds();
  return e;
}

Evaluation DistributedObjective::hessian(const Vector& theta, DistMatrix& h, const AssemblyOptions& options) {
  return assemble(theta, h, options, Curvature::Exact);
}

Evaluation DistributedObjective::gauss_newton(const Vector& theta, DistMatrix& g, const AssemblyOptions& options) {
  return assemble(theta, g, options, Curvature::GaussNewton);
}

Evaluation DistributedObjective::assemble(const Vector& theta, DistMatrix& h, const AssemblyOptions& options,
                                          Curvature curvature) {
  const Stopwatch clock;
  network_.set_parameters(theta);
  const ShardState state = agreed_state(comm_, network_, loss_, shard_, curvature);
  const HessianKernel kernel(state, options.kernel);
  double kernel_seconds = clock.seconds();
  const auto bounds = kernel.panel_bounds(assembly_width(network_, comm_.size(), with_agreed_shares(comm_, options)));
  // The kernel's time excludes the progress calls (Overlapped): they move the previous
  // panel's exchange, so they count as reduction.
  const auto fill = [&](Index c0, Index c1, double* panel, Index ld, const PanelProgress& progress) {
    const Stopwatch panel_clock;
    double progress_seconds = 0;
    if (progress) {
      kernel.add_lower_panel(c0, c1, panel, ld, [&] {
        const Stopwatch progress_clock;
        progress();
        progress_seconds += progress_clock.seconds();
      });
    } else {
      kernel.add_lower_panel(c0, c1, panel, ld);
    }
    kernel_seconds += panel_clock.seconds() - progress_seconds;
  };
  const PanelReduction reduction = options.overlap ? PanelReduction::Overlapped : PanelReduction::Sequential;
  const PanelAssemblyTimes times = options.both_triangles
                                       ? assemble_symmetric(h, bounds, ProgressingPanelFill(fill), reduction)
                                       : assemble_lower(h, bounds, ProgressingPanelFill(fill), reduction);
  const ObjectiveTerms terms = reduce_terms(state);
  // One pass over H: the tiles are disjoint, so the threads take them.
  struct Tile {
    Index r0, c0, rows, cols;
    double* data;
    Index ld;
  };
  std::vector<Tile> tiles;
  h.for_each_local_tile([&](Index r0, Index c0, Index rows, Index cols, double* tile, Index ld) {
    if (options.both_triangles || r0 + rows > c0) tiles.push_back({r0, c0, rows, cols, tile, ld});
  });
  parallel_for(static_cast<Index>(tiles.size()), h.block_size() * h.block_size(), [&](Index begin, Index end) {
    for (Index k = begin; k < end; ++k) {
      const Tile& t = tiles[static_cast<std::size_t>(k)];
      terms.finish_tile(t.r0, t.c0, t.rows, t.cols, t.data, t.ld);
    }
  });
  Evaluation e = evaluation_of(terms);
  e.seconds_kernel = kernel_seconds;
  e.seconds_reduce = clock.seconds() - kernel_seconds;
  e.seconds_exchange = times.exchange;
  return e;
}

DiagonalEvaluation DistributedObjective::hessian_diagonal(const Vector& theta, std::size_t chunk_bytes) {
  const Stopwatch clock;
  network_.set_parameters(theta);
  const ShardState state = agreed_state(comm_, network_, loss_, shard_);
  const Index n = n_params();
  // One allreduce: [inner gradient, inner diagonal, inner loss].
  Vector sums(2 * n + 1);
  sums.head(n) = state.inner_gradient();
  sums.segment(n, n) = inner_hessian_diagonal(state, chunk_bytes);
  sums[2 * n] = state.inner_loss();
  const double kernel_seconds = clock.seconds();
  allreduce_sum(comm_, sums);
  const ObjectiveTerms terms(network_, loss_, regularizer_, sums[2 * n], sums.head(n));
  DiagonalEvaluation e;
  static_cast<Evaluation&>(e) = evaluation_of(terms);
  e.diagonal = sums.segment(n, n);
  // The objective transform of each diagonal entry is that of a 1 x 1 tile at (k, k).
  for (Index k = 0; k < n; ++k) terms.finish_tile(k, k, 1, 1, e.diagonal.data() + k, 1);
  e.seconds_kernel = kernel_seconds;
  e.seconds_reduce = clock.seconds() - kernel_seconds;
  return e;
}

double data_loss(const Communicator& comm, const Network& net, const Loss& loss, const Shard& data) {
  double sum = 0;
  run_agreed(comm, [&] { sum = loss.sum(data.local.targets, net.predict(data.local.inputs)); });
  const double mean = allreduce_sum(comm, sum) / loss.normalizer(data.total, net.outputs());
  return loss.is_root() ? std::sqrt(mean) : mean;
}

void require_targets_in_domain(const Communicator& comm, const Loss& loss, const Shard& shard,
                               const std::string& what) {
  run_agreed(comm, [&] {
    if (const auto problem = loss.target_outside_domain(shard.local.targets, shard.first))
      throw InvalidArgument(what + ": " + *problem);
  });
}

void require_finite_evaluation(const Communicator& comm, const Evaluation& e, const DistMatrix* h) {
  bool finite = true;
  for (Index c = 0; h != nullptr && c < h->local_cols() && finite; ++c)
    for (Index r = 0; r < h->local_rows(); ++r) finite = finite && std::isfinite(h->local_data()[r + c * h->lld()]);
  run_agreed(comm, [&] {
    const char* what = !std::isfinite(e.loss)    ? "loss"
                       : !e.gradient.allFinite() ? "gradient"
                       : !finite                 ? "Hessian"
                                                 : nullptr;
    if (what != nullptr)
      throw InvalidArgument(std::string("the ") + what +
                            " is not finite (NaN or overflow from the data or weights): nothing written");
  });
}

}  // namespace hessnet
