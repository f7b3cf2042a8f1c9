// SPDX-License-Identifier: MIT
#include "hessnet/dist/distributed_objective.hpp"

#include <algorithm>
#include <chrono>

#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/panel_assembler.hpp"

namespace hessnet {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The objective from the inner loss and gradient summed over all ranks.
ObjectiveTerms reduce_terms(const Communicator& comm, const Network& net, const Loss& loss,
                            const Regularizer& regularizer, const ShardState& state) {
  Vector g = state.inner_gradient();
  allreduce_sum(comm, g);
  return ObjectiveTerms(net, loss, regularizer, allreduce_sum(comm, state.inner_loss()), std::move(g));
}

Evaluation evaluation_of(const ObjectiveTerms& terms) {
  Evaluation e;
  e.loss = terms.loss();
  e.data_loss = terms.data_loss();
  e.gradient = terms.gradient();
  return e;
}

}  // namespace

Index assembly_panel_width(Index n, int ranks, const AssemblyOptions& options) {
  if (options.panel_width > 0) return std::min(options.panel_width, n);
  // Memory per column of panel, in units of 8 N bytes: the kernel's products (up to one
  // panel, e.g. a layer's block below its columns) and, on several ranks, the panel buffer
  // and the 1/P share received into (one rank fills H in place; the panel is sent from
  // where it lies). Wider panels repeat less per-sample work, so the budget is spent in
  // full; on several ranks it is held to an eighth of the rank's share of H (at least
  // 64 MiB), which keeps the peak within 1.2 x 8 N^2 / P + one kernel chunk for large N.
  const double buffers = ranks > 1 ? 2.0 + 1.0 / ranks : 1.0;
  const double share = 8.0 * static_cast<double>(n) * static_cast<double>(n) / ranks;
  const double cap = ranks > 1 ? std::max(share / 8, 64.0 * (1 << 20)) : share;
  const auto budget = std::min(static_cast<double>(options.panel_bytes), cap);
  const auto width = static_cast<Index>(budget / (buffers * sizeof(double) * static_cast<double>(n)));
  return std::clamp<Index>(width, std::min<Index>(n, 64), n);
}

Evaluation evaluate_gradient(const Communicator& comm, const Network& net, const Loss& loss,
                             const Regularizer& regularizer, const Shard& shard) {
  const auto t0 = std::chrono::steady_clock::now();
  const ShardState state(net, loss, shard.local.inputs, shard.local.targets, shard.total);
  Evaluation e = evaluation_of(reduce_terms(comm, net, loss, regularizer, state));
  e.seconds_kernel = seconds_since(t0);
  return e;
}

Evaluation assemble_hessian(const Network& net, const Loss& loss, const Regularizer& regularizer,
                            const Shard& shard, DistMatrix& hessian, const AssemblyOptions& options) {
  const Communicator& comm = hessian.grid().communicator();
  const auto t0 = std::chrono::steady_clock::now();
  const ShardState state(net, loss, shard.local.inputs, shard.local.targets, shard.total);
  const HessianKernel kernel(state, options.kernel);
  double kernel_seconds = seconds_since(t0);
  const Index n = net.n_params();
  const auto bounds = kernel.panel_bounds(assembly_panel_width(n, comm.size(), options));
  assemble_symmetric(hessian, bounds, [&](Index c0, Index c1, double* panel, Index ld) {
    const auto tk = std::chrono::steady_clock::now();
    kernel.add_lower_panel(c0, c1, panel, ld);
    kernel_seconds += seconds_since(tk);
  });
  const ObjectiveTerms terms = reduce_terms(comm, net, loss, regularizer, state);
  hessian.for_each_local_tile([&](Index r0, Index c0, Index rows, Index cols, double* tile, Index ld) {
    terms.finish_tile(r0, c0, rows, cols, tile, ld);
  });
  Evaluation e = evaluation_of(terms);
  e.seconds_kernel = kernel_seconds;
  e.seconds_reduce = seconds_since(t0) - kernel_seconds;
  return e;
}

}  // namespace hessnet
