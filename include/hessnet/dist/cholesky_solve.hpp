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

/// Collective over A's grid. Factors the square A in place, \f$ A = L L^T \f$ from its lower
/// triangle or \f$ A = U^T U \f$ from its upper one (pdpotrf; LAPACK dpotrf on one rank); the
/// other triangle is neither read nor written. The status is agreed on every rank.
/// @return {Ok, 0}; or {NotPositiveDefinite, k}: the leading minor of order k is not positive
///     definite. The leading (k-1) x (k-1) block then holds its factor and row k of the lower
///     triangle (column k of the upper) the computed L(k, 1:k-1) (U(1:k-1, k)), from which
///     cholesky_failure_bound finds how far A is from positive definite.
/// Throws DimensionMismatch for a non-square A, ScalapackError (every rank) for info < 0.
SolveResult cholesky_factor(DistMatrix& a, Triangle triangle);

/// Collective. \f$ B \leftarrow A^{-1} B \f$ with the factor cholesky_factor left in
/// `factor` (pdpotrs; LAPACK dpotrs on one rank). B on the same grid and block size.
void cholesky_solve_factored(const DistMatrix& factor, Triangle triangle, DistMatrix& b);

/// Collective. \f$ x \leftarrow T^{-1} x \f$, or \f$ T^{-T} x \f$ when `transpose`, for T the
/// leading n x n block of the factor in `triangle` (L for Lower, U for Upper; pdtrsv). x is an
/// n-or-longer column (a DistVector of the factor's order); entries beyond n are untouched.
void triangular_solve(const DistMatrix& factor, Triangle triangle, bool transpose, Index n, DistMatrix& x);

/// Collective. The worst ScaLAPACK info over A's grid as a SolveResult, the same on every
/// rank; throws ScalapackError (every rank) for an illegal argument (info < 0) of `routine`.
SolveResult agreed_info(const char* routine, const DistMatrix& a, int info);

/// How far a matrix whose factorization failed is from positive definite, and a direction
/// of non-positive curvature (cholesky_failure_bound).
struct FailureBound {
  double shift = 0;  ///< A + sigma I is not positive definite for any sigma < shift
  Vector direction;  ///< u with u^T A u <= 0 (length n, replicated, zero beyond the minor)
};

/// Collective. After cholesky_factor(A, triangle) failed at leading minor k: with
/// \f$ u = [-A_{11}^{-1} a_k; 1; 0] \f$ for the leading (k-1) block A_11 and column a_k,
/// \f$ u^T A u = d \le 0 \f$ (d the failed pivot), so \f$ \lambda_{\min}(A) \le d / \|u\|^2 \f$
/// and the shift is \f$ -d / \|u\|^2 \f$ (Moré & Sorensen 1983, section 3). `diagonal_k` is
/// A(k, k) as it was before the factorization overwrote it. Costs one triangular solve of
/// order k - 1. The same on every rank.
FailureBound cholesky_failure_bound(const DistMatrix& factor, Triangle triangle, Index k, double diagonal_k);

}  // namespace hessnet
