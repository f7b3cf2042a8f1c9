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

/// Collective. Writes the gradient (rank 0's copy) to `gradient_path` and H to `hessian_path`
/// as save_symmetric_npy does; either path may be empty. g is staged first and put in place
/// only once H is written, so a failed write leaves the old pair. Throws InvalidArgument on
/// every rank when both paths name one file or a write fails.
void save_gradient_and_hessian(const Vector& gradient, const DistMatrix& h, const std::string& gradient_path,
                               const std::string& hessian_path);

}  // namespace hessnet
