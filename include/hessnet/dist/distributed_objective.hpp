// SPDX-License-Identifier: MIT
#pragma once
/// @file The training objective over the data of all ranks: value, gradient, Hessian.
#include "hessnet/autodiff/objective.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/sharded_dataset.hpp"

namespace hessnet {

struct AssemblyOptions {
  /// Columns per assembly panel; 0 picks one from the memory budget below.
  Index panel_width = 0;
  /// Bytes the panel buffers may take per rank when panel_width is 0.
  std::size_t panel_bytes = std::size_t{256} << 20;
  KernelOptions kernel;
};

/// Loss and replicated gradient of the objective (loss + regularizer) over every sample.
struct Evaluation {
  double loss = 0;       ///< data loss + regularizer
  double data_loss = 0;  ///< without the regularizer
  Vector gradient;
  double seconds_kernel = 0;  ///< local forward/backward and Hessian panels
  double seconds_reduce = 0;  ///< summing the panels into the distributed matrix
};

/// Collective. Loss and gradient only (one forward and backward pass per rank, one allreduce).
Evaluation evaluate_gradient(const Communicator& comm, const Network& net, const Loss& loss,
                             const Regularizer& regularizer, const Shard& shard);

/// Collective over H's grid. As evaluate_gradient, and sets both triangles of H to the
/// exact Hessian of the objective: every rank adds its shard's panels (HessianKernel), the
/// panels are summed into H's block-cyclic layout (assemble_symmetric), then the terms that
/// couple all samples (sqrt losses, l2) are applied to the owned tiles.
Evaluation assemble_hessian(const Network& net, const Loss& loss, const Regularizer& regularizer,
                            const Shard& shard, DistMatrix& hessian, const AssemblyOptions& options);

/// Panel width used for an n x n Hessian on `ranks` ranks under `options`.
Index assembly_panel_width(Index n, int ranks, const AssemblyOptions& options);

}  // namespace hessnet
