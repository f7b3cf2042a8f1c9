// SPDX-License-Identifier: MIT
#pragma once
/// @file The damped Newton system (H + lambda I) x = g on a distributed symmetric H.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hessnet/dist/cholesky_solve.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/float_cholesky.hpp"
#include "hessnet/optim/options.hpp"
#include "hessnet/optim/update_report.hpp"

namespace hessnet {

/// The result of DampedSystem::solve; the same on every rank.
struct DampedSolve {
  StepStatus status = StepStatus::Ok;
  Vector step;                     ///< x, replicated on every rank (empty unless Ok)
  double lambda = 0;               ///< the lambda that worked (or the last one tried)
  int escalations = 0;             ///< how many times lambda was raised
  int factorizations = 0;          ///< Cholesky factorizations attempted
  double seconds = 0;              ///< in factorizations, solves and triangle copies
  std::vector<std::string> notes;  ///< one line per raised lambda
};

/// One Cholesky factorization of H + lambda I; the same on every rank.
struct Factorization {
  bool positive_definite = false;
  double lambda = 0;
  /// The leading minor that was not positive definite (0 when it was, or when the Lanczos
  /// probe of solve() found the matrix indefinite without factoring it).
  int minor = 0;
  /// When not positive definite: H + sigma I is not positive definite either for any
  /// sigma < lambda_bound. The larger of the failed minor's bound (cholesky_failure_bound)
  /// and the smallest Ritz value of 20 Lanczos steps on H started from the minor's direction.
  double lambda_bound = 0;
  /// When not positive definite: a unit vector of the most negative curvature found (the
  /// Ritz vector of the Lanczos steps), with H's Rayleigh quotient about -lambda_bound.
  Vector direction;
};

/// A symmetric H held in both triangles of a DistMatrix, factored with any damping, as
/// often as needed. Works on vectors and the matrix only: it knows nothing of networks,
/// losses or step acceptance (the step rules do).
///
/// Cholesky overwrites the triangle it factors and the diagonal. The diagonal is saved
/// (O(N/P) per rank), and every factorization uses the triangle pdpotrf runs faster on the
/// grid (lower unless the grid has more process rows than columns). Before a factorization
/// would leave no intact copy of H, the intact triangle is copied onto the other
/// (mirror_triangle, each rank's share sent once, in panels of `mirror_width` columns), so
/// one assembled H serves any number of factorizations and is never reassembled. Products
/// H v come from the intact triangle and the saved diagonal.
class DampedSystem {
 public:
  /// Local. `hessian` must outlive this object; `mirror_width` bounds the copy buffers
  /// (HessianStorage::mirror_width, so they fit the memory plan). With `single`, a float32
  /// copy in H's layout (HessianStorage::single_precision), every factorization is in float32
  /// and every solve refined to float64 accuracy against H (mixed precision).
  DampedSystem(DistMatrix& hessian, DampingOptions options, Index mirror_width, FloatCholesky* single = nullptr);

  /// Local. Call after H was (re)assembled: saves its diagonal, marks the lower triangle
  /// intact and the upper one too unless `upper_holds_h` is false (a lower-only assembly:
  /// the upper triangle is then filled from the lower before a factorization that needs it).
  void reset(bool upper_holds_h = true);
  /// Whether a system on `h` (its grid) wants H's upper triangle assembled too: not when it
  /// factors in float32 (`mixed_precision`) and the grid factors the lower triangle, which the
  /// float32 copy leaves intact; a float64 fall-back then fills the upper one first.
  static bool needs_upper_triangle(const DistMatrix& h, bool mixed_precision) {
    return !mixed_precision || preferred_triangle(h) == Triangle::Upper;
  }
  /// The triangle pdpotrf runs faster on for h's grid: lower unless it has more process rows
  /// than columns.
  static Triangle preferred_triangle(const DistMatrix& h) {
    return h.grid().nprow() > h.grid().npcol() ? Triangle::Upper : Triangle::Lower;
  }

  /// Local. Records that `triangle` (with the diagonal) no longer holds H, e.g. because an
  /// eigensolver reduced it in place after reset(): the next factorization restores it from
  /// the other triangle and the diagonal saved by reset().
  void mark_overwritten(Triangle triangle);

  /// Collective. Factors H + lambda I. When it is not positive definite, the bound on lambda
  /// that the failed leading minor implies comes with it (one triangular solve of that order).
  Factorization factor(double lambda);
  /// Collective. \f$ (H + \lambda I)^{-1} b \f$ with the last successful factor(); replicated.
  /// NaN when a mixed-precision solve had to fall back to float64 and that factorization
  /// failed: see failed_fallback().
  Vector solve_factored(const Vector& b);
  /// Mixed precision: the float64 factorization of the last solve_factored() when it found
  /// H + lambda I not positive definite although float32 had factored it (an eigenvalue of
  /// H + lambda I below float32's rounding); none otherwise. Cleared by factor().
  const std::optional<Factorization>& failed_fallback() const { return failed_fallback_; }
  /// Collective. \f$ L^{-1} b \f$ for the last factor \f$ H + \lambda I = L L^T \f$ (or
  /// \f$ U^{-T} b \f$ for \f$ U^T U \f$), so that its squared norm is \f$ b^T (H + \lambda I)^{-1} b \f$.
  Vector half_solve(const Vector& b);
  /// Collective. \f$ H v \f$ (no damping), from the intact triangle and the saved diagonal.
  Vector multiply(const Vector& v);
  /// Collective (the first call; cached until reset()). Bounds on H's spectrum from its
  /// entries: every eigenvalue lies in [-norm, norm] with norm = \f$ \|H\|_1 \f$, and the
  /// smallest is at most min_diagonal.
  struct Bounds {
    double norm = 0;
    double min_diagonal = 0;
    double max_abs_diagonal = 0;
  };
  const Bounds& bounds();

  /// Collective. Solves \f$ (H + \lambda I) x = g \f$, raising lambda after each factorization
  /// that finds the matrix not positive definite (agreed on all ranks) with next_lambda and
  /// the requested lambda as margin: the damping asked for comes on top of the shift that
  /// makes H positive semidefinite.
  /// @return Ok; DampingCapReached after max_escalations; NonFinite when g or x is not finite.
  DampedSolve solve(const Vector& gradient, double lambda);

  /// Local. Whether the next solve() first runs 20 Lanczos steps on H from a fixed start (products
  /// only, O(N^2 / P) each) when N >= damping.probe_min_order: when their smallest Ritz value
  /// theta has theta + lambda < 0, H + lambda I is indefinite and solve() escalates without
  /// spending a factorization on it. For when the caller expects an escalation (the last
  /// solve escalated, or the first one: at a fresh initialisation H + I is often indefinite,
  /// and a factorization finds it only late, at the output layer's parameters, which come
  /// last, at almost the full cost). The products are memory-bound and the factorization
  /// compute-bound, so the probe's cost relative to it falls as 1/N: measured 0.5 of a
  /// float64 factorization at N = 2410, 0.33 at 7510 and 0.18 at 17793 (1 rank x 2 threads),
  /// where it saves a failed float32 factorization (~0.5): hence the default 12000.
  void set_indefinite_probe(bool on) { probe_ = on; }
  /// Whether a factorization or the probe found H + lambda I not positive definite since
  /// construction (an escalation for indefiniteness, not for a rejected step).
  bool found_indefinite() const { return found_indefinite_; }

  /// Collective (bounds()). The lambda to try after a failed factorization that followed
  /// `escalations` others: the bound plus `margin` (so that H + lambda I has its smallest
  /// eigenvalue near the margin when the bound is tight), and from the second escalation on
  /// at least lambda 2^escalations (a bound can be weak).
  double next_lambda(const Factorization& failed, int escalations, double margin);
  /// Seconds spent in factorizations, solves and copies since construction.
  double seconds() const { return seconds_; }
  /// Mixed precision: refinement steps taken, and solves that fell back to float64.
  int refinement_steps() const { return refinement_steps_; }
  int fallbacks() const { return fallbacks_; }

 private:
  /// The triangle to factor next; afterwards the other one still holds H.
  Triangle triangle_to_factor();
  Factorization factor_double(double lambda);
  Factorization factor_single(double lambda);
  Vector solve_double(const Vector& b);
  /// The float32 solution refined to float64 accuracy; none when refinement stalls.
  std::optional<Vector> refine(const Vector& b);
  /// H(k, k) + lambda (0-based k) on every rank.
  double shifted_diagonal(Index k, double lambda) const;
  /// Raises the failed factorization's bound with Lanczos steps from the minor's direction.
  void sharpen(Factorization& f, const FailureBound& minor);
  /// The Lanczos probe of set_indefinite_probe: a failed Factorization (minor 0) when it
  /// shows H + lambda I indefinite, none when it cannot tell.
  std::optional<Factorization> probe_indefinite(double lambda);
  void set_diagonal(double lambda);
  /// Runs `f` with H's own diagonal in place of whatever the factor left there.
  template <class F>
  void with_hessian_diagonal(F&& f);

  DistMatrix& hessian_;
  DampingOptions options_;
  Index mirror_width_;
  struct DiagonalEntry {
    std::size_t offset;  // in the local array
    Index index;         // global row and column
    double value;        // of H
  };
  std::vector<DiagonalEntry> diagonal_;  // the owned diagonal entries
  bool lower_intact_ = false, upper_intact_ = false;
  std::optional<Triangle> factored_;  // the triangle holding the last successful float64 factor
  FloatCholesky* single_;             // the float32 copy for mixed precision, or nullptr
  std::optional<Factorization> failed_fallback_;
  bool single_factored_ = false;  // the last successful factor is the float32 one
  double factored_lambda_ = 0;    // the shift of the last factorization
  int refinement_steps_ = 0, fallbacks_ = 0;
  bool probe_ = false, found_indefinite_ = false;
  std::optional<Bounds> bounds_;
  double seconds_ = 0;
  /// Times a public call into seconds_ unless it runs inside another (factor -> sharpen ->
  /// multiply, solve_factored -> refine -> multiply), so no second is counted twice.
  class Timed;
  int timed_depth_ = 0;
};

}  // namespace hessnet
