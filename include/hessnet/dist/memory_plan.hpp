// SPDX-License-Identifier: MIT
#pragma once
/// @file What one rank will allocate in an epoch of a distributed Newton method, checked
/// before it does.
#include <cstddef>
#include <string>

#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/optim/options.hpp"

namespace hessnet {

/// What an epoch works on besides H, as far as the plan knows it.
struct EpochWork {
  const Network* network = nullptr;  ///< kernel workspace and panel bounds (none: neither is counted)
  Index samples = 0;                 ///< this rank's samples: per-sample state (0: not known yet)
  bool eigenvalues = false;          ///< all eigenvalues of H are computed (pdsyev)
};

/// The peak memory of one rank, phase by phase. H and the baseline live throughout; the
/// assembly (panel buffers, kernel workspace, per-sample state), the solve (float32 copy,
/// ScaLAPACK and mirror buffers, a forward pass) and the eigensolve take turns.
struct MemoryPlan {
  Index n = 0;                      ///< parameters (H is n x n)
  GridShape grid;                   ///< process grid
  Index block_size = 0;             ///< nb
  Index panel_width = 0;            ///< the widest assembly panel
  Index mirror_width = 0;           ///< columns per triangle copy of the damped solve
  std::size_t baseline_bytes = 0;   ///< resident at plan time + MPI and BLAS buffers + O(N) vectors
  std::size_t hessian_bytes = 0;    ///< this rank's block-cyclic part of H (the largest rank's)
  std::size_t assembly_bytes = 0;   ///< assembly_bytes(): panel buffers and kernel workspace
  std::size_t state_bytes = 0;      ///< per-sample state of the largest shard (ShardState::bytes)
  std::size_t solve_bytes = 0;      ///< float32 copy of a mixed-precision solve (0: double precision)
  std::size_t solver_bytes = 0;     ///< pdpotrf / pdsymv buffers and the triangle copy's
  std::size_t eigen_bytes = 0;      ///< pdsyev workspace (0: no eigensolve)
  std::size_t available_bytes = 0;  ///< memory this rank may use (the node's / ranks on node)
  int ranks_on_node = 1;

  std::size_t assembly_phase() const { return assembly_bytes + state_bytes; }
  std::size_t solve_phase() const { return solve_bytes + solver_bytes + state_bytes; }
  /// A small slack for allocator rounding and freed memory not yet returned.
  std::size_t slack_bytes() const;
  std::size_t total_bytes() const;
  bool fits() const { return total_bytes() <= available_bytes; }
  /// One line: the terms per rank, the total and what is available.
  std::string describe() const;
  /// One line for a refused job: needed vs available GiB per rank and what would help.
  std::string refusal() const;
};

/// Collective. The plan for an n x n Hessian on comm's ranks in `grid` with block size
/// `block_size`, panels from `assembly` (assembly_width) and the epoch's `work`; with
/// Precision::Auto the float32 copy is planned when it fits, with Mixed always. Every
/// number is agreed over the ranks (the largest need, the smallest availability).
MemoryPlan plan_memory(const Communicator& comm, Index n, GridShape grid, Index block_size,
                       const AssemblyOptions& assembly, Precision precision, const EpochWork& work);

/// The one accounting of an assembly's memory per rank besides H, which sizes the panels
/// (assembly_width), the plan and the damped solve's triangle copies: the panel buffers of
/// the widest panel the kernel cuts for `width` (panel_buffer_bytes, two buffers and more
/// receive blocks with assembly.overlap) plus, with a network, the kernel's workspace for
/// `samples` per rank (HessianKernel::workspace_bytes with assembly.kernel; 0: any).
std::size_t assembly_bytes(Index n, const Network* net, Index width, int nranks, const AssemblyOptions& assembly,
                           Index samples = 0);

/// The widest panel whose assembly_bytes fit the budget: options.panel_width when set, else
/// options.panel_bytes, on several ranks held to an eighth of the rank's share of H (at least
/// 64 MiB). Never below min(n, 64) columns (fewer would repeat too much per-sample work) nor
/// above n. Without a network the kernel is not counted.
Index assembly_width(Index n, const Network* net, int nranks, const AssemblyOptions& options);
/// Collective. `options` with kernel.sample_splits, when automatic (0), set to the most
/// share_threads() of any rank: what the plan and the panel widths assume, so that they agree
/// on ranks placed with different thread counts. Each rank's kernel then takes its own count,
/// never more.
AssemblyOptions with_agreed_shares(const Communicator& comm, AssemblyOptions options);
inline Index assembly_width(const Network& net, int nranks, const AssemblyOptions& options) {
  return assembly_width(net.n_params(), &net, nranks, options);
}

/// Bytes the processes of this node may allocate together: the limit set_memory_limit or
/// HESSNET_MEMORY_LIMIT gives, else MemAvailable capped by a cgroup memory limit.
std::size_t available_memory_bytes();
/// Replaces the detection of available_memory_bytes with `bytes` (0: detect again).
void set_memory_limit(std::size_t bytes);
/// Whether a limit replaces the detection.
bool memory_limit_given();
/// "1073741824", "1.5GiB", "512MiB", "2G", "64k": bytes (binary units); InvalidArgument otherwise.
std::size_t parse_memory_size(const std::string& text);

/// This process's resident memory now, and its peak so far (getrusage ru_maxrss).
std::size_t resident_bytes();
std::size_t peak_resident_bytes();

}  // namespace hessnet
