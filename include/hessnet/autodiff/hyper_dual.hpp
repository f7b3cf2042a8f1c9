// SPDX-License-Identifier: MIT
#pragma once
/// @file Hyper-dual numbers a + b e1 + c e2 + d e1 e2 (e1^2 = e2^2 = 0, e1 e2 != 0).
///
/// Evaluating f at x + e1 + e2 gives f(x) + f'(x) e1 + f'(x) e2 + f''(x) e1 e2 exactly, with
/// no truncation error (Fike & Alonso, "The development of hyper-dual numbers for exact
/// second-derivative calculations", AIAA 2011). A loss written as a template on its scalar
/// type therefore yields its exact first and second derivatives.
#include <cmath>

namespace hessnet {

struct HyperDual {
  double a = 0, b = 0, c = 0, d = 0;  // value, d/de1, d/de2, d2/de1de2

  constexpr HyperDual() = default;
  constexpr HyperDual(double value) : a(value) {}  // NOLINT: constants mix freely
  constexpr HyperDual(double a_, double b_, double c_, double d_) : a(a_), b(b_), c(c_), d(d_) {}

  /// The variable x seeded in both directions: f(variable(x)) carries f, f', f''.
  static constexpr HyperDual variable(double x) { return {x, 1, 1, 0}; }
};

/// Applies a scalar function with value f0 and derivatives f1, f2 at x.a (the chain rule).
constexpr HyperDual chain(const HyperDual& x, double f0, double f1, double f2) {
  return {f0, f1 * x.b, f1 * x.c, f1 * x.d + f2 * x.b * x.c};
}

constexpr HyperDual operator+(const HyperDual& x, const HyperDual& y) {
  return {x.a + y.a, x.b + y.b, x.c + y.c, x.d + y.d};
}
constexpr HyperDual operator-(const HyperDual& x, const HyperDual& y) {
  return {x.a - y.a, x.b - y.b, x.c - y.c, x.d - y.d};
}
constexpr HyperDual operator-(const HyperDual& x) { return {-x.a, -x.b, -x.c, -x.d}; }
constexpr HyperDual operator*(const HyperDual& x, const HyperDual& y) {
  return {x.a * y.a, x.a * y.b + x.b * y.a, x.a * y.c + x.c * y.a, x.a * y.d + x.b * y.c + x.c * y.b + x.d * y.a};
}
constexpr HyperDual operator/(const HyperDual& x, const HyperDual& y) {
  const double inv = 1.0 / y.a;
  return x * chain(y, inv, -inv * inv, 2 * inv * inv * inv);
}
constexpr HyperDual& operator+=(HyperDual& x, const HyperDual& y) { return x = x + y; }
constexpr HyperDual& operator-=(HyperDual& x, const HyperDual& y) { return x = x - y; }
constexpr HyperDual& operator*=(HyperDual& x, const HyperDual& y) { return x = x * y; }
constexpr HyperDual& operator/=(HyperDual& x, const HyperDual& y) { return x = x / y; }

// Comparisons look at the value only: branches pick the piece of a piecewise function.
constexpr bool operator<(const HyperDual& x, const HyperDual& y) { return x.a < y.a; }
constexpr bool operator>(const HyperDual& x, const HyperDual& y) { return x.a > y.a; }
constexpr bool operator<=(const HyperDual& x, const HyperDual& y) { return x.a <= y.a; }
constexpr bool operator>=(const HyperDual& x, const HyperDual& y) { return x.a >= y.a; }

inline HyperDual exp(const HyperDual& x) {
  const double e = std::exp(x.a);
  return chain(x, e, e, e);
}
inline HyperDual log(const HyperDual& x) { return chain(x, std::log(x.a), 1 / x.a, -1 / (x.a * x.a)); }
inline HyperDual log1p(const HyperDual& x) {
  const double inv = 1 / (1 + x.a);
  return chain(x, std::log1p(x.a), inv, -inv * inv);
}
inline HyperDual sqrt(const HyperDual& x) {
  const double r = std::sqrt(x.a);
  return chain(x, r, 0.5 / r, -0.25 / (r * x.a));
}
inline HyperDual pow(const HyperDual& x, double p) {
  return chain(x, std::pow(x.a, p), p * std::pow(x.a, p - 1), p * (p - 1) * std::pow(x.a, p - 2));
}
inline HyperDual tanh(const HyperDual& x) {
  const double t = std::tanh(x.a);
  return chain(x, t, 1 - t * t, -2 * t * (1 - t * t));
}
inline HyperDual sin(const HyperDual& x) { return chain(x, std::sin(x.a), std::cos(x.a), -std::sin(x.a)); }
inline HyperDual cos(const HyperDual& x) { return chain(x, std::cos(x.a), -std::sin(x.a), -std::cos(x.a)); }
/// |x| with derivative sign(x) (0 at 0) and no curvature, as TensorFlow differentiates it.
inline HyperDual abs(const HyperDual& x) {
  const double s = x.a > 0 ? 1.0 : (x.a < 0 ? -1.0 : 0.0);
  return chain(x, std::abs(x.a), s, 0.0);
}
inline HyperDual max(const HyperDual& x, const HyperDual& y) { return x.a >= y.a ? x : y; }
inline HyperDual min(const HyperDual& x, const HyperDual& y) { return x.a <= y.a ? x : y; }

// Plain doubles get the same vocabulary so one template serves both types.
inline double max(double x, double y) { return x >= y ? x : y; }
inline double min(double x, double y) { return x <= y ? x : y; }

/// Clips to [lo, hi]; outside the interval the result is a constant (zero derivatives).
template <class T>
T clip(const T& x, double lo, double hi) {
  if (x < T(lo)) return T(lo);
  if (x > T(hi)) return T(hi);
  return x;
}

}  // namespace hessnet
