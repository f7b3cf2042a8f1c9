// SPDX-License-Identifier: MIT
#include "hessnet/train/diagonal_objective.hpp"

#include <chrono>

#include "hessnet/autodiff/objective.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/train/hessian_diagonal_kernel.hpp"

namespace hessnet {

DiagonalEvaluation evaluate_hessian_diagonal(const Communicator& comm, const Network& net, const Loss& loss,
                                             const Regularizer& regularizer, const Shard& shard,
                                             std::size_t chunk_bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  const ShardState state(net, loss, shard.local.inputs, shard.local.targets, shard.total);
  const Index n = net.n_params();
  // One allreduce: [inner gradient, inner diagonal, inner loss].
  Vector sums(2 * n + 1);
  sums.head(n) = state.inner_gradient();
  sums.segment(n, n) = inner_hessian_diagonal(state, chunk_bytes);
  sums[2 * n] = state.inner_loss();
  const auto t1 = std::chrono::steady_clock::now();
  allreduce_sum(comm, sums);
  const auto t2 = std::chrono::steady_clock::now();

  const ObjectiveTerms terms(net, loss, regularizer, sums[2 * n], sums.head(n));
  DiagonalEvaluation e;
  e.loss = terms.loss();
  e.data_loss = terms.data_loss();
  e.gradient = terms.gradient();
  e.diagonal = sums.segment(n, n);
  // The objective transform of each diagonal entry is that of a 1 x 1 tile at (k, k).
  for (Index k = 0; k < n; ++k) terms.finish_tile(k, k, 1, 1, e.diagonal.data() + k, 1);
  e.seconds_kernel = std::chrono::duration<double>(t1 - t0).count();
  e.seconds_reduce = std::chrono::duration<double>(t2 - t1).count();
  return e;
}

}  // namespace hessnet
