// SPDX-License-Identifier: MIT
#include "hessnet/autodiff/hessian_diagonal_kernel.hpp"

#include <algorithm>

#include "hessnet/core/blas.hpp"

namespace hessnet {
namespace {

/// Cores of one chunk of k samples for one layer of n units, side by side: sample s's
/// n x n core C_s is columns [s n, (s+1) n) of an n x (k n) column-major matrix.
struct Cores {
  Index n = 0, k = 0;
  Matrix c;
  double diagonal(Index s, Index i) const { return c(i, s * n + i); }
};

/// C_L = M for samples [s0, s0 + k).
void output_cores(const ShardState& state, Index s0, Index k, Cores& out) {
  const Matrix& m = state.output_curvature();
  const Index n = state.network().outputs();
  out.n = n;
  out.k = k;
  out.c.setZero(n, k * n);
  for (Index s = 0; s < k; ++s) {
    if (state.output_curvature_is_diagonal()) {
      for (Index i = 0; i < n; ++i) out.c(i, s * n + i) = m(i, s0 + s);
    } else {
      out.c.middleCols(s * n, n) = Eigen::Map<const Matrix>(m.col(s0 + s).data(), n, n);
    }
  }
}

/// C_m = D_m + diag(phi'_m) W_{m+1} C_{m+1} W_{m+1}^T diag(phi'_m) for the chunk, from the
/// cores of layer m+1 (`upper`) into `out`; `r` and `q` are reused scratch.
void lower_cores(const ShardState& state, Index m, Index s0, const Cores& upper, Cores& out, Matrix& r, Matrix& q) {
  const auto wt = state.network().weight_transposed(m + 1);  // n_{m+1} x n_m
  const Index np = upper.n, nm = wt.cols(), k = upper.k;
  // R = [C_1; ...; C_k] W^T (C_s symmetric, so the stack is the transpose of upper.c).
  r.resize(k * np, nm);
  blas::gemm_tn(k * np, nm, np, 1.0, upper.c.data(), np, wt.data(), np, 0.0, r.data(), k * np);
  // R read as np x (k nm) with leading dimension np has column s + k b = column b of C_s W^T,
  // so one GEMM gives Q(c, s + k b) = (W C_s W^T)(c, b) for every sample.
  q.resize(nm, k * nm);
  blas::gemm_tn(nm, k * nm, np, 1.0, wt.data(), np, r.data(), np, 0.0, q.data(), nm);
  const Matrix& slope = state.slope(m);
  const Matrix& curvature = state.curvature(m);
  out.n = nm;
  out.k = k;
  out.c.resize(nm, k * nm);
  for (Index s = 0; s < k; ++s) {
    const auto p = slope.col(s0 + s);
    for (Index b = 0; b < nm; ++b)
      for (Index c = 0; c < nm; ++c) out.c(c, s * nm + b) = p[c] * q(c, s + k * b) * p[b];
    for (Index c = 0; c < nm; ++c) out.c(c, s * nm + c) += curvature(c, s0 + s);
  }
}

/// Adds sum_s C_s[i,i] abar_s[j]^2 for the chunk into layer m's entries of `diagonal`.
void add_layer_diagonal(const ShardState& state, Index m, Index s0, const Cores& cores, Vector& diagonal) {
  const auto& layout = state.network().layout(m);
  Matrix d(layout.units, cores.k);
  for (Index s = 0; s < cores.k; ++s)
    for (Index i = 0; i < layout.units; ++i) d(i, s) = cores.diagonal(s, i);
  const Matrix a2 = state.activation(m - 1).middleCols(s0, cores.k).array().square();
  // Row-major fan_in x units storage = column-major units x fan_in: d a2^T lands in place.
  blas::gemm_nt(layout.units, layout.fan_in, cores.k, 1.0, d.data(), layout.units, a2.data(), layout.fan_in, 1.0,
                diagonal.data() + layout.offset, layout.units);
  if (layout.bias) diagonal.segment(layout.offset + layout.fan_in * layout.units, layout.units) += d.rowwise().sum();
}

}  // namespace

Vector inner_hessian_diagonal(const ShardState& state, std::size_t chunk_bytes) {
  const Network& net = state.network();
  Vector diagonal = Vector::Zero(net.n_params());
  const Index samples = state.samples();
  if (samples == 0) return diagonal;
  Index widest = 1;
  for (Index m = 1; m <= net.depth(); ++m) widest = std::max(widest, net.layout(m).units);
  // Two core sets, R and Q: about four k x widest^2 arrays.
  const auto per_sample = static_cast<std::size_t>(4 * widest * widest) * sizeof(double);
  const Index chunk = std::clamp<Index>(static_cast<Index>(chunk_bytes / per_sample), 1, samples);
  Cores upper, lower;
  Matrix r, q;
  for (Index s0 = 0; s0 < samples; s0 += chunk) {
    const Index k = std::min(chunk, samples - s0);
    output_cores(state, s0, k, upper);
    add_layer_diagonal(state, net.depth(), s0, upper, diagonal);
    for (Index m = net.depth() - 1; m >= 1; --m) {
      lower_cores(state, m, s0, upper, lower, r, q);
      add_layer_diagonal(state, m, s0, lower, diagonal);
      std::swap(upper, lower);
    }
  }
  return diagonal;
}

}  // namespace hessnet
