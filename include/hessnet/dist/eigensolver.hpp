// SPDX-License-Identifier: MIT
#pragma once
/// @file All eigenvalues of a distributed symmetric matrix (the Hessian spectrum), and the
/// counts a user reads off them.
///
/// Routine choice, checked against ScaLAPACK 2.2.1: pdsyevd rejects JOBZ = 'N' (info = -1,
/// "eigenvalues only: not implemented"), so it would need JOBZ = 'V' and a second N x N
/// distributed matrix Z (another 8 N^2 / P bytes per rank) plus the eigenvector back-transform.
/// pdsyev with JOBZ = 'N' needs neither: it reduces A to tridiagonal form (pdsytrd,
/// 4/3 N^3 flops, half of them matrix-vector products) and then every rank finds the
/// eigenvalues of the replicated tridiagonal matrix (dsterf, O(N^2)). Its workspace is
/// O(N nb) doubles per rank, far below A itself.
#include <cstddef>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

/// Collective over A's grid. All eigenvalues \f$ \lambda_1 \le \dots \le \lambda_N \f$ of the
/// symmetric matrix whose lower triangle (diagonal included) `a_lower` holds, e.g. a Hessian
/// straight from assemble_hessian; the strictly upper part is never read.
///
/// Uses pdsyev with JOBZ = 'N' after a workspace query (LWORK = -1). Cost: O(N^3) flops,
/// no extra N x N matrix; see the file comment for why not pdsyevd.
/// @param[in,out] a_lower  square; **overwritten** (ScaLAPACK reduces it in place): call
///     symmetric_eigenvalues_of_copy, or reassemble, to keep the matrix.
/// @return N eigenvalues in ascending order, bitwise identical on every rank.
/// @throws DimensionMismatch (every rank) when a_lower is not square.
/// @throws ScalapackError (every rank) when pdsyev rejects an argument (info < 0): a bug.
/// @throws CollectiveError (every rank) when pdsyev reports info > 0: an eigenvalue failed to
///     converge, or the ranks computed different eigenvalues (a heterogeneous cluster).
std::vector<double> symmetric_eigenvalues(DistMatrix& a_lower);

/// Collective. As symmetric_eigenvalues on a copy of `a_lower`, which stays unchanged; the
/// copy costs another local array (about 8 N^2 / P bytes per rank) for the duration.
std::vector<double> symmetric_eigenvalues_of_copy(const DistMatrix& a_lower);

/// Collective. \f$ \lambda_{\min} \f$ of the matrix whose lower triangle `a_lower` holds,
/// e.g. to log the curvature of the Hessian during training (negative: indefinite).
/// This is a full eigensolve, O(N^3) like a Cholesky factorization but several times slower
/// (the tridiagonal reduction is half matrix-vector work), so log it every few epochs at
/// most. `a_lower` is overwritten as by symmetric_eigenvalues. NaN when N = 0.
double smallest_eigenvalue(DistMatrix& a_lower);

}  // namespace hessnet
