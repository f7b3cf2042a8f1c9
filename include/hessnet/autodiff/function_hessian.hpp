// SPDX-License-Identifier: MIT
#pragma once
/// @file Exact gradient and Hessian of a small multivariate function written as a template.
#include <vector>

#include "hessnet/autodiff/hyper_dual.hpp"
#include "hessnet/core/types.hpp"

namespace hessnet {

/// Gradient and Hessian of f at x by hyper-dual seeding: for each pair i <= j, x_i moves
/// along e1 and x_j along e2, and the e1 e2 part of f is exactly d2f/dx_i dx_j.
/// f takes `const std::vector<HyperDual>&` (or any indexable of HyperDual) and returns HyperDual.
/// Cost: n(n+1)/2 evaluations; meant for small functions (losses, tests), not networks.
template <class F>
void function_gradient_and_hessian(F&& f, const Vector& x, Vector& gradient, Matrix& hessian) {
  const Index n = x.size();
  gradient.resize(n);
  hessian.resize(n, n);
  std::vector<HyperDual> point(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    for (Index j = i; j < n; ++j) {
      for (Index k = 0; k < n; ++k) point[static_cast<std::size_t>(k)] = HyperDual(x[k]);
      point[static_cast<std::size_t>(i)].b = 1;
      point[static_cast<std::size_t>(j)].c = 1;
      const HyperDual value = f(point);
      hessian(i, j) = hessian(j, i) = value.d;
      if (j == i) gradient[i] = value.b;
    }
  }
}

}  // namespace hessnet
