// SPDX-License-Identifier: MIT
#pragma once
/// @file The few distributed BLAS-level operations hessnet needs besides the solve:
/// norms and matrix-vector products for residual checks and predicted reductions.
#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

/// Collective: \f$ \|A\|_1 = \max_j \sum_i |a_{ij}| \f$ of the whole stored matrix
/// (pdlange), returned on every rank.
double norm_one(const DistMatrix& a);

/// Collective: \f$ y \leftarrow \alpha A x + \beta y \f$ (pdgemv) for m x n A, n x 1 x and
/// m x 1 y on A's grid with A's block size. Throws DimensionMismatch otherwise.
void gemv(double alpha, const DistMatrix& a, const DistMatrix& x, double beta, DistMatrix& y);

/// Collective: as gemv for a square symmetric A of which only the lower triangle is read
/// (pdsymv with uplo 'L'), e.g. a Hessian straight from assemble_lower.
void symv_lower(double alpha, const DistMatrix& a, const DistMatrix& x, double beta, DistMatrix& y);

}  // namespace hessnet
