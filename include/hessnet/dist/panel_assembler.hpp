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
/// Throws InvalidArgument (on all ranks) for a non-square H or bad panel bounds.
void assemble_lower(DistMatrix& H, const std::vector<Index>& panel_bounds, const PanelFill& fill_local_panel);

/// As assemble_lower, and also sets H's strictly upper triangle to the transpose of the
/// lower one, so that both triangles hold the symmetric sum: a Cholesky factorization that
/// fails in one triangle leaves the other intact to retry from. After each panel is
/// summed, every rank sends its final entries (r, c), r > c, to the owners of (c, r)
/// (an all-to-all of its own share, about 1/P of the reduction's traffic per rank, through
/// the same buffers); the upper triangle is an exact copy. On one rank it is a local
/// transpose.
void assemble_symmetric(DistMatrix& H, const std::vector<Index>& panel_bounds, const PanelFill& fill_local_panel);

/// Test oracle for assemble_lower, same contract: MPI_Allreduce of each whole panel, then
/// every rank extracts its owned lower entries. P times the traffic; do not use in training.
void assemble_lower_via_allreduce(DistMatrix& H, const std::vector<Index>& panel_bounds,
                                  const PanelFill& fill_local_panel);

/// Bounds {0, width, 2 width, ..., n}: panels of `width` columns, the last one narrower.
/// Throws InvalidArgument if n < 0 or width < 1.
std::vector<Index> uniform_panel_bounds(Index n, Index width);

/// Bytes that assemble_lower allocates per rank for uniform panels of `width` columns of
/// an n x n matrix on `nranks` ranks (the first panel is the largest):
/// \f$ 8 [P > 1] (n w + (n w - w(w-1)/2) / P) \f$ with w = min(width, n): the panel
/// buffer (sent from in place, then reused for the mirror) and about a 1/P share as
/// receive buffer (none on one rank, where H is the panel). H's own local array (about
/// \f$ 8 n^2 / P \f$) is not included; assembly_bytes (memory_plan.hpp) adds the kernel's.
std::size_t panel_buffer_bytes(Index n, Index width, int nranks);

}  // namespace hessnet
