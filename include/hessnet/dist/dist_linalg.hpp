// SPDX-License-Identifier: MIT
#pragma once
/// @file The few distributed BLAS-level operations hessnet needs besides the solve: norms,
/// matrix-vector products (residuals, predicted reductions of a trust-region step) and
/// reading one row or column.
#include "hessnet/dist/cholesky_solve.hpp"
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

/// Collective: as symv_lower, reading the triangle given (pdsymv), diagonal included.
void symv(Triangle triangle, double alpha, const DistMatrix& a, const DistMatrix& x, double beta, DistMatrix& y);

/// Collective: entries a(row, c0..c1-1), replicated on every rank (one allreduce of c1 - c0).
Vector gather_row(const DistMatrix& a, Index row, Index c0, Index c1);
/// Collective: entries a(r0..r1-1, col), replicated on every rank.
Vector gather_column(const DistMatrix& a, Index col, Index r0, Index r1);

}  // namespace hessnet
