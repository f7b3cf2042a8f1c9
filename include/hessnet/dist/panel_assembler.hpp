// SPDX-License-Identifier: MIT
#pragma once
/// @file Sums per-rank partial Hessians into the lower triangle of a DistMatrix, one
/// column panel at a time, so that no rank ever holds an N x N array.
#include <cstddef>
#include <functional>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/optim/options.hpp"

namespace hessnet {

/// Adds this rank's partial contribution to columns [c0, c1) into `panel`, a zeroed
/// column-major (N - c0) x (c1 - c0) array with leading dimension ld >= N - c0, whose
/// entry (r, j) is global entry (c0 + r, c0 + j). Only entries on or below the diagonal
/// (global row >= global column) may be written: on one rank the panel is H's own array,
/// and the strictly upper part of its leading (c1 - c0) square is H's upper triangle.
using PanelFill = std::function<void(Index c0, Index c1, double* panel, Index ld)>;

/// Lets a fill hand control back to the assembly between its steps, so that the previous
/// panel's exchange progresses while it computes. Cheap; empty when nothing is pending.
using PanelProgress = std::function<void()>;
/// A PanelFill that is also given a PanelProgress to call now and then (or never): same
/// contract, and the progress call must not touch the panel.
using ProgressingPanelFill =
    std::function<void(Index c0, Index c1, double* panel, Index ld, const PanelProgress& progress)>;

/// How the panels' sums are scheduled on several ranks (one rank has no exchange).
enum class PanelReduction {
  /// Fill panel k, sum it (a blocking exchange), then fill panel k + 1.
  Sequential,
  /// Double buffered: panel k's exchange is posted without blocking and travels while
  /// panel k + 1 is filled into a second buffer (the fill's PanelProgress lets MPI move it),
  /// then panel k is completed (wait, add, mirror). The same sums in the same order as
  /// Sequential, so the same matrix bit for bit. Costs a second panel buffer and a receive
  /// block per exchange step (see panel_buffer_bytes).
  Overlapped,
};

/// Where one rank's assembly time went besides the fills (seconds; 0 on one rank).
struct PanelAssemblyTimes {
  /// In the panels' exchanges, adds included: Sequential the blocking reduce-scatter;
  /// Overlapped posting it, the fill's progress calls and the wait after the next fill,
  /// i.e. what of the exchange was not hidden behind the kernel.
  double exchange = 0;
  double mirror = 0;  ///< in the mirror of the final entries (assemble_symmetric)
};

/// Collective over H's grid. Sets the lower triangle (diagonal included) of the square
/// matrix H to \f$ \sum_p P_p \f$, the sum over ranks p of the partial matrices that
/// `fill_local_panel` produces, panel by panel. H's strictly upper part is left unchanged.
///
/// For each panel [c0, c1) = [panel_bounds[k], panel_bounds[k+1]) every rank fills its
/// buffer and a pairwise-exchange reduce-scatter (reduce_scatter_runs) sends each rank the
/// lower-triangle entries it owns straight from the buffer (runs of up to nb rows of one
/// column, column by column, as an MPI datatype: no packed copy), and adds what it
/// receives into H's local array. On one rank the fill adds straight into H. Per rank and
/// panel: memory (N - c0)(c1 - c0) doubles for the buffer and 1/P of its lower part to
/// receive into; traffic (P-1)/P of the lower part.
///
/// @param[in,out] H  Square DistMatrix; on return its lower triangle holds the sum.
/// @param[in] panel_bounds  0 = b_0 < b_1 < ... < b_K = N, identical on all ranks; any
///     boundaries, not necessarily multiples of H's block size.
/// @param[in] fill_local_panel  Called once per panel on every rank, in panel order. If it
///     throws on any rank, every rank throws (the thrower rethrows its own exception).
/// @param[in] reduction  Sequential or Overlapped (the same result; see PanelReduction).
/// Throws InvalidArgument (on all ranks) for a non-square H or bad panel bounds.
PanelAssemblyTimes assemble_lower(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const PanelFill& fill_local_panel,
                                  PanelReduction reduction = PanelReduction::Sequential);
/// As above, with a fill that lets the pending exchange progress (Overlapped).
PanelAssemblyTimes assemble_lower(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const ProgressingPanelFill& fill_local_panel,
                                  PanelReduction reduction = PanelReduction::Sequential);

/// As assemble_lower, and also sets H's strictly upper triangle to the transpose of the
/// lower one, so that both triangles hold the symmetric sum: a Cholesky factorization that
/// fails in one triangle leaves the other intact to retry from. After each panel is
/// summed, every rank sends its final entries (r, c), r > c, to the owners of (c, r)
/// (an all-to-all of its own share, about 1/P of the reduction's traffic per rank, through
/// the same buffers); the upper triangle is an exact copy. On one rank it is a local
/// transpose. Overlapped, panel k is mirrored once its sum is complete, through its buffer.
PanelAssemblyTimes assemble_symmetric(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                      const PanelFill& fill_local_panel,
                                      PanelReduction reduction = PanelReduction::Sequential);
PanelAssemblyTimes assemble_symmetric(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                      const ProgressingPanelFill& fill_local_panel,
                                      PanelReduction reduction = PanelReduction::Sequential);

/// Test oracle for assemble_lower, same contract: MPI_Allreduce of each whole panel, then
/// every rank extracts its owned lower entries. P times the traffic; do not use in training.
void assemble_lower_via_allreduce(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const PanelFill& fill_local_panel);

/// Bounds {0, width, 2 width, ..., n}: panels of `width` columns, the last one narrower.
/// Throws InvalidArgument if n < 0 or width < 1.
std::vector<Index> uniform_panel_bounds(Index n, Index width);

/// Bytes that assemble_lower allocates per rank for uniform panels of `width` columns of
/// an n x n matrix on `nranks` ranks (the first panel is the largest), with w = min(width, n)
/// and the lower part L = n w - w(w-1)/2 of the first panel:
/// Sequential \f$ 8 [P > 1] (n w + L / P) \f$, the panel buffer (sent from in place, then
/// reused for the mirror) and about a 1/P share as receive buffer; Overlapped
/// \f$ 8 [P > 1] (2 n w + (P - 1) L / P) \f$, two panel buffers and a 1/P share per
/// exchange step. None on one rank, where H is the panel. H's own local array (about
/// \f$ 8 n^2 / P \f$) is not included; assembly_bytes (memory_plan.hpp) adds the kernel's.
std::size_t panel_buffer_bytes(Index n, Index width, int nranks, PanelReduction reduction = PanelReduction::Sequential);

}  // namespace hessnet
