// SPDX-License-Identifier: MIT
#pragma once
/// @file Distributed Cholesky solve of a symmetric positive definite system (pdposv).
#include "hessnet/dist/dist_matrix.hpp"

namespace hessnet {

/// Outcome of a solve that ran without a programming error.
enum class SolveStatus {
  Ok,                  ///< X holds the solution.
  NotPositiveDefinite  ///< A leading minor was not positive definite; X is undefined.
};

/// Which triangle of A holds the matrix (and receives the factor).
enum class Triangle { Lower, Upper };

/// Status plus ScaLAPACK's info (0, or the order of the failing leading minor).
struct SolveResult {
  SolveStatus status = SolveStatus::Ok;
  int info = 0;
};

/// Distributed Cholesky factorization and solve of \f$ A X = B \f$ (ScaLAPACK pdposv).
///
/// \f$ A \f$ is an n-by-n symmetric positive definite matrix of which only the lower
/// triangle is read. It is factored as \f$ A = L L^T \f$ with \f$ L \f$ lower triangular,
/// and \f$ X = L^{-T} L^{-1} B \f$ overwrites \f$ B \f$. In a Newton step
/// \f$ A = H + \lambda I \f$ and \f$ B = g \f$.
///
/// Collective over A's grid. The status is agreed on all ranks (an allreduce of info), so
/// every rank returns the same result and no rank proceeds differently.
///
/// @param[in,out] a  On entry, the lower triangle of the n-by-n matrix A (strict upper
///     triangle ignored). On exit, the factor L if Ok, else partly factored garbage.
/// @param[in,out] b  On entry, the n-by-nrhs right-hand side B (a DistVector for one
///     column), on the same grid and with the same block size as a. On exit, X if Ok.
///
/// @return {SolveStatus::Ok, 0}: X was computed.
/// @return {SolveStatus::NotPositiveDefinite, k}, k > 0: the leading minor of order k of
///     A is not positive definite; the caller typically raises \f$ \lambda \f$ and retries
///     with a freshly assembled A.
///
/// Throws DimensionMismatch if a is not square, b has another row count or block size,
/// or the two live on different grids; throws ScalapackError (on all ranks) if pdposv
/// reports an illegal argument (info < 0).
/// @param[in] triangle  Lower (default): A = L L^T from the lower triangle; Upper: A = U^T U
///     from the upper triangle. The other triangle is neither read nor written.
SolveResult cholesky_solve(DistMatrix& a, DistMatrix& b, Triangle triangle = Triangle::Lower);

}  // namespace hessnet
