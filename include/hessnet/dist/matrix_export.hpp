// SPDX-License-Identifier: MIT
#pragma once
/// @file Writing a distributed symmetric matrix to a .npy file without holding it whole.
#include <string>

#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

/// Collective. The block [r0, r1) x [c0, c1) of A on rank 0 (empty elsewhere): every rank
/// sends the entries it owns, in its local column-major order, and rank 0 places them by
/// the same block-cyclic index math.
Matrix gather_block(const DistMatrix& a, Index r0, Index r1, Index c0, Index c1);

/// Collective. Writes the symmetric matrix whose lower triangle A holds as a full n x n
/// float64 C-order .npy file, atomically, streamed by rank 0 in row panels of about
/// `panel_rows` rows (rank 0 holds at most two n x panel_rows blocks at a time).
/// Throws InvalidArgument on every rank when the file cannot be written.
void save_symmetric_npy(const DistMatrix& a, const std::string& path, Index panel_rows = 256);

}  // namespace hessnet
