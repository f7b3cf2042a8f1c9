// SPDX-License-Identifier: MIT
#include "hessnet/solver/lanczos.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "hessnet/core/random.hpp"

namespace hessnet {

Vector deterministic_unit_vector(Index n) {
  Random rng(0x5eed5eedULL);
  Vector z(n);
  for (Index k = 0; k < n; ++k) z[k] = 2 * rng.uniform() - 1;
  return z / z.norm();
}

RitzPair lanczos_smallest(const std::function<Vector(const Vector&)>& multiply, const Vector& start, int steps) {
  const double norm = start.norm();
  if (!(norm > 0) || steps < 1) return {std::numeric_limits<double>::quiet_NaN(), Vector()};
  std::vector<Vector> basis{start / norm};
  std::vector<double> alpha, beta;
  for (int k = 0; k < steps; ++k) {
    Vector w = multiply(basis.back());
    alpha.push_back(basis.back().dot(w));
    for (const Vector& q : basis) w -= q.dot(w) * q;  // full reorthogonalization (twice is enough)
    for (const Vector& q : basis) w -= q.dot(w) * q;
    const double b = w.norm();
    if (k + 1 == steps || !(b > 1e-12 * std::abs(alpha.back()) + 1e-300)) break;  // invariant subspace found
    beta.push_back(b);
    basis.push_back(w / b);
  }
  const auto m = static_cast<Index>(alpha.size());
  Matrix t = Matrix::Zero(m, m);
  for (Index k = 0; k < m; ++k) t(k, k) = alpha[static_cast<std::size_t>(k)];
  for (Index k = 0; k + 1 < m; ++k) t(k, k + 1) = t(k + 1, k) = beta[static_cast<std::size_t>(k)];
  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(t);
  RitzPair out{eigen.eigenvalues()(0), Vector::Zero(start.size())};
  for (Index k = 0; k < m; ++k) out.vector += eigen.eigenvectors()(k, 0) * basis[static_cast<std::size_t>(k)];
  out.vector /= out.vector.norm();
  return out;
}

}  // namespace hessnet
