// SPDX-License-Identifier: MIT
#include "hessnet/solver/trust_region_subproblem.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "hessnet/solver/lanczos.hpp"

namespace hessnet {
namespace {

/// A point strictly inside [low, high] when Newton's iterate left it (Moré & Sorensen's
/// safeguard): the geometric mean, or a hundredth of the way up from low.
double safeguarded(double low, double high) { return std::max(std::sqrt(low * high), low + 0.01 * (high - low)); }

}  // namespace

SubproblemSolution solve_trust_region_subproblem(DampedSystem& system, const Vector& gradient, double radius,
                                                 double lambda_hint, const SubproblemOptions& options) {
  SubproblemSolution out;
  const Index n = gradient.size();
  const double gnorm = gradient.norm();
  const DampedSystem::Bounds& bounds = system.bounds();
  // Every eigenvalue of H lies in [-|H|_1, |H|_1] and the smallest is at most min H_ii; the
  // multiplier makes H + lambda I positive semidefinite and |s| = |(H + lambda I)^{-1} g| <= radius.
  double low = std::max({0.0, -bounds.min_diagonal, gnorm / radius - bounds.norm});
  double high = std::max(low, gnorm / radius + bounds.norm);
  // The previous multiplier is the best guess while the iterates change little; lambda = 0
  // (an interior Newton step) is tried first only without one.
  double lambda = lambda_hint > 0 ? std::clamp(lambda_hint, low, high) : low;

  // Ends the iteration with step s: its exact model decrease needs one product H s.
  const auto finish = [&](Vector s, double lambda_s, bool boundary, bool hard) {
    const Vector hs = system.multiply(s);
    out.predicted_decrease = -(gradient.dot(s) + 0.5 * s.dot(hs));
    out.step = std::move(s);
    out.lambda = lambda_s;
    out.on_boundary = boundary;
    out.hard_case = hard;
    return out;
  };
  Vector last_step;  // the last positive-definite step, for the fall-back
  double last_lambda = 0;
  while (out.factorizations < options.max_factorizations) {
    Factorization f = system.factor(lambda);
    ++out.factorizations;
    Vector s;
    if (f.positive_definite) {
      s = -system.solve_factored(gradient);
      if (const std::optional<Factorization>& failed = system.failed_fallback()) {
        f = *failed;  // float32 factored H + lambda I, float64 found it indefinite
        ++out.factorizations;
      }
    }
    if (!f.positive_definite) {
      low = std::max(low, f.lambda_bound);
      if (!(low < high)) high = 2 * low + bounds.norm;
      // Where the step along the most negative curvature v alone would reach the radius:
      // |g.v| / (lambda - lambda_min) = radius. The other components only lengthen s, so this
      // lies left of the solution, where Newton's iteration converges monotonically.
      const double along = f.direction.size() == n ? std::abs(gradient.dot(f.direction)) : 0.0;
      lambda = std::min(std::max(low + along / radius, system.next_lambda(f, 0, 0.01 * std::abs(low))), high);
      continue;
    }
    if (!s.allFinite()) return out;  // empty step: the caller reports it
    const double snorm = s.norm();

    last_step = s;
    last_lambda = lambda;
    if (lambda > 0 && std::abs(snorm - radius) <= options.boundary_tolerance * radius) {
      if (snorm > radius) s *= radius / snorm;  // a hair outside: onto the sphere
      return finish(std::move(s), lambda, true, false);
    }
    if (snorm <= radius) {
      if (lambda == 0) return finish(std::move(s), lambda, snorm >= (1 - options.boundary_tolerance) * radius, false);
      // lambda > 0 and s well inside: too much damping, or the hard case (g nearly orthogonal
      // to the eigenvectors of H's smallest eigenvalue).
      high = std::min(high, lambda);
      Vector z = deterministic_unit_vector(n);
      for (int k = 0; k < 2; ++k) {  // inverse iteration: z -> (H + lambda I)^{-1} z, normalized
        z = system.solve_factored(z);
        z /= z.norm();
      }
      const Vector hz = system.multiply(z), hs = system.multiply(s);
      const double curvature = z.dot(hz) + lambda;  // z^T (H + lambda I) z >= lambda_min(H + lambda I)
      low = std::max(low, lambda - curvature);
      const double sz = s.dot(z), root = std::sqrt(sz * sz + radius * radius - snorm * snorm);
      const auto model = [&](double tau) {  // g^T (s + tau z) + (s + tau z)^T H (s + tau z) / 2
        return gradient.dot(s) + tau * gradient.dot(z) +
               0.5 * (s.dot(hs) + 2 * tau * z.dot(hs) + tau * tau * z.dot(hz));
      };
      const double tau = model(-sz + root) <= model(-sz - root) ? -sz + root : -sz - root;
      const double scale = s.dot(hs) + lambda * snorm * snorm + lambda * radius * radius;
      if (tau * tau * curvature <= options.hard_case_tolerance * scale) return finish(s + tau * z, lambda, true, true);
    } else {
      low = std::max(low, lambda);
    }
    // Newton's method on 1/|s(lambda)| - 1/radius, from the factor: q = L^{-1} s.
    const double q2 = system.half_solve(s).squaredNorm();
    double next = lambda + (snorm * snorm / q2) * (snorm - radius) / radius;
    if (!(next > low) && low == 0 && lambda > 0)
      next = 0;  // perhaps an interior Newton step after all
    else if (!(next > low && next < high))
      next = safeguarded(low, high);
    if (high - low <= 1e-12 * std::max(high, 1e-300)) break;  // the interval collapsed
    lambda = next;
  }
  out.notes.push_back(
      fmt::format("trust-region subproblem stopped after {} factorizations (lambda in [{:.6g}, {:.6g}])",
                  out.factorizations, low, high));
  if (last_step.size() == 0) return out;
  // The last positive-definite step, brought inside the ball.
  const double norm = last_step.norm();
  if (norm > radius) last_step *= radius / norm;
  return finish(std::move(last_step), last_lambda, norm >= (1 - options.boundary_tolerance) * radius, false);
}

}  // namespace hessnet
