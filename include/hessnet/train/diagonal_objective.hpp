// SPDX-License-Identifier: MIT
#pragma once
/// @file Loss, gradient and exact Hessian diagonal of the objective over all ranks' data.
#include <cstddef>

#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/loss/loss.hpp"
#include "hessnet/loss/regularizer.hpp"
#include "hessnet/model/network.hpp"

namespace hessnet {

struct DiagonalEvaluation {
  double loss = 0;       ///< data loss + regularizer
  double data_loss = 0;  ///< without the regularizer
  Vector gradient;       ///< of loss + regularizer, replicated
  Vector diagonal;       ///< diag of the Hessian of loss + regularizer, replicated
  double seconds_kernel = 0;  ///< local passes and diagonal kernel
  double seconds_reduce = 0;  ///< the allreduce
};

/// Collective. Each rank runs the forward/backward pass and inner_hessian_diagonal on its
/// shard; one allreduce sums inner loss, gradient and diagonal; then the objective transform
/// (ObjectiveTerms) is applied entrywise: for rmse/rmsle
/// \f$ d = r'(v)\,d_{in} + r''(v)\,g_{in}^2 \f$, plus 2 decay on l2-regularized entries.
DiagonalEvaluation evaluate_hessian_diagonal(const Communicator& comm, const Network& net, const Loss& loss,
                                             const Regularizer& regularizer, const Shard& shard,
                                             std::size_t chunk_bytes = std::size_t{32} << 20);

}  // namespace hessnet
