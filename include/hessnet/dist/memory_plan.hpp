// SPDX-License-Identifier: MIT
#pragma once
/// @file What one rank will allocate for a distributed Newton step, checked before it does.
#include <cstddef>
#include <string>

#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/communicator.hpp"

namespace hessnet {

struct MemoryPlan {
  Index n = 0;                    ///< parameters (H is n x n)
  GridShape grid;                 ///< process grid
  Index block_size = 0;           ///< nb
  Index panel_width = 0;          ///< assembly panel columns
  std::size_t hessian_bytes = 0;  ///< this rank's block-cyclic part of H (the largest rank's)
  std::size_t panel_bytes = 0;    ///< assembly_bytes: panel buffers and kernel products
  std::size_t working_bytes = 0;  ///< kernel chunk and per-sample caches
  /// The float32 copy of H a mixed-precision solve factors (0: double precision). It lives
  /// while the assembly buffers do not, so the peak is the larger of the two phases.
  std::size_t solve_bytes = 0;
  std::size_t available_bytes = 0;  ///< memory this rank may use (node memory / ranks on node)
  int ranks_on_node = 1;

  std::size_t total_bytes() const {
    return hessian_bytes + (panel_bytes + working_bytes > solve_bytes ? panel_bytes + working_bytes : solve_bytes);
  }
  /// One line: grid, nb, bytes per rank against 8 N^2 / P and what is available.
  std::string describe() const;
};

/// Collective. The plan for an n x n Hessian on comm's ranks; shard_bytes is this rank's
/// share of the data (the largest over ranks is used).
MemoryPlan plan_memory(const Communicator& comm, Index n, GridShape grid, Index block_size, Index panel_width,
                       std::size_t working_bytes);

/// Bytes this process may still allocate: MemAvailable, capped by a cgroup memory limit.
std::size_t available_memory_bytes();

}  // namespace hessnet
