// SPDX-License-Identifier: MIT
#include "hessnet/autodiff/hessian_kernel.hpp"

#include <algorithm>

#include "hessnet/core/blas.hpp"
#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

/// abar_{m-1}[j] for sample s: the activation, or the 1 that multiplies the bias row.
inline double abar(const Matrix& a, Index j, Index s) { return j < a.rows() ? a(j, s) : 1.0; }

/// Position of (i, i'), i <= i', in a column-major packed upper triangle.
inline Index packed_index(Index i, Index ip) { return ip * (ip + 1) / 2 + i; }

/// Multiplies each n x q per-sample block (column s of `batch`) row-wise by scale(:, s0 + s).
void scale_rows(Matrix& batch, Index n, const Matrix& scale, Index s0) {
  const Index q = batch.rows() / n;
  for (Index s = 0; s < batch.cols(); ++s) {
    const double* f = scale.col(s0 + s).data();
    double* x = batch.col(s).data();
    for (Index c = 0; c < q; ++c)
      for (Index k = 0; k < n; ++k) x[c * n + k] *= f[k];
  }
}

}  // namespace

HessianKernel::HessianKernel(const ShardState& state, KernelOptions options)
    : state_(state), net_(state.network()), options_(options) {}

std::vector<Index> HessianKernel::panel_bounds(Index target_width) const {
  HESSNET_CHECK(target_width > 0, "panel width must be positive");
  std::vector<Index> bounds{0};
  for (Index m = 1; m <= net_.depth(); ++m) {
    const auto& l = net_.layout(m);
    for (Index j = 1; j <= l.rows(); ++j) {
      const Index end = l.offset + j * l.units;
      if (end - bounds.back() >= target_width || end == net_.n_params()) bounds.push_back(end);
    }
  }
  return bounds;
}

void HessianKernel::add_lower_panel(Index c0, Index c1, double* panel, Index ld) const {
  const Index n = net_.n_params();
  HESSNET_CHECK(0 <= c0 && c0 < c1 && c1 <= n, "panel columns out of range");
  HESSNET_CHECK(ld >= n - c0, "panel leading dimension too small");
  for (Index m = 1; m <= net_.depth(); ++m) {
    const auto& l = net_.layout(m);
    const Index lo = std::max(c0, l.offset), hi = std::min(c1, l.offset + l.size());
    if (lo >= hi) continue;
    const Index ja = (lo - l.offset) / l.units;
    const Index jb = (hi - l.offset + l.units - 1) / l.units;
    add_rows_of_layer(m, ja, jb, c0, c1, panel, ld);
  }
}

Index HessianKernel::chunk_size(Index mc, Index ja, Index jb) const {
  const Index nc = net_.layout(mc).units, wj = jb - ja;
  Index per_sample = nc * (nc + 1) / 2 + wj * net_.layout(mc).rows();
  for (Index m = mc; m <= net_.depth(); ++m) {
    const auto& l = net_.layout(m);
    per_sample += 2 * l.units * nc;  // A and C cores
    if (m > mc) per_sample += l.rows() * wj + l.units * wj + l.fan_in * nc;
  }
  const auto budget = static_cast<Index>(options_.chunk_bytes / sizeof(double));
  return std::clamp(budget / per_sample, std::min(options_.min_chunk, state_.samples()),
                    std::max<Index>(state_.samples(), 1));
}

void HessianKernel::add_rows_of_layer(Index mc, Index ja, Index jb, Index c0, Index c1,
                                      double* panel, Index ld) const {
  const Index depth = net_.depth(), samples = state_.samples();
  const auto& lc = net_.layout(mc);
  const Index nc = lc.units, wj = jb - ja, packed = nc * (nc + 1) / 2;
  const Matrix& a_c = state_.activation(mc - 1);
  const auto at = [](std::vector<Matrix>& v, Index m) -> Matrix& { return v[static_cast<std::size_t>(m)]; };

  std::vector<std::pair<Index, Index>> pairs;  // (j, j'), j >= j': the diagonal block's lower half
  for (Index jp = ja; jp < jb; ++jp)
    for (Index j = jp; j < lc.rows(); ++j) pairs.emplace_back(j, jp);
  const auto n_pairs = static_cast<Index>(pairs.size());

  // Products accumulated over all sample chunks, scattered into the panel at the end.
  Matrix z_diag = Matrix::Zero(packed, n_pairs);
  std::vector<Matrix> z_core(depth + 1), z_cross(depth + 1);
  for (Index m = mc + 1; m <= depth; ++m) {
    const auto& l = net_.layout(m);
    at(z_core, m).setZero(l.units * nc, l.rows() * wj);
    at(z_cross, m).setZero(l.units * wj, m - 1 == mc ? l.fan_in : l.fan_in * nc);
  }

  const Index chunk = chunk_size(mc, ja, jb);
  std::vector<Matrix> a_chain(depth + 1), core(depth + 1);
  Matrix x_pack, y_pairs, y_outer, x_cross, e_chain;
  for (Index s0 = 0; s0 < samples; s0 += chunk) {
    const Index sc = std::min(chunk, samples - s0);
    // A_{l<-mc} = dz_l/dz_mc per sample (n_l x nc blocks), l = mc+1..L.
    for (Index l = mc + 1; l <= depth; ++l) {
      const auto& ll = net_.layout(l);
      Matrix& a_l = at(a_chain, l);
      a_l.resize(ll.units * nc, sc);
      const auto wt = net_.weight_transposed(l);
      if (l == mc + 1) {
        const Matrix& slope = state_.slope(mc);
        for (Index s = 0; s < sc; ++s)
          for (Index ip = 0; ip < nc; ++ip)
            a_l.col(s).segment(ip * ll.units, ll.units) = wt.col(ip) * slope(ip, s0 + s);
      } else {
        Matrix scaled = at(a_chain, l - 1);
        scale_rows(scaled, ll.fan_in, state_.slope(l - 1), s0);
        blas::gemm_nn(ll.units, nc * sc, ll.fan_in, 1.0, wt.data(), ll.units, scaled.data(),
                      ll.fan_in, 0.0, a_l.data(), ll.units);
      }
    }
    // Cores C_{m,mc}, m = L..mc, by the backward recursion.
    const Index n_out = net_.outputs();
    Matrix& c_top = at(core, depth);
    const Matrix& mout = state_.output_curvature();
    const bool diagonal_m = state_.output_curvature_is_diagonal();
    if (mc == depth) {
      c_top.setZero(n_out * n_out, sc);
      for (Index s = 0; s < sc; ++s) {
        if (diagonal_m)
          for (Index k = 0; k < n_out; ++k) c_top(k * n_out + k, s) = mout(k, s0 + s);
        else
          c_top.col(s) = mout.col(s0 + s);
      }
    } else if (diagonal_m) {
      c_top = at(a_chain, depth);
      scale_rows(c_top, n_out, mout, s0);
    } else {
      c_top.resize(n_out * nc, sc);
      for (Index s = 0; s < sc; ++s)
        blas::gemm_nn(n_out, nc, n_out, 1.0, mout.col(s0 + s).data(), n_out,
                      at(a_chain, depth).col(s).data(), n_out, 0.0, c_top.col(s).data(), n_out);
    }
    for (Index m = depth - 1; m >= mc; --m) {
      const auto& lm = net_.layout(m);
      const auto& next = net_.layout(m + 1);
      Matrix& c_m = at(core, m);
      c_m.resize(lm.units * nc, sc);
      blas::gemm_tn(lm.units, nc * sc, next.units, 1.0, net_.weight_transposed(m + 1).data(),
                    next.units, at(core, m + 1).data(), next.units, 0.0, c_m.data(), lm.units);
      scale_rows(c_m, lm.units, state_.slope(m), s0);
      const Matrix& d = state_.curvature(m);
      for (Index s = 0; s < sc; ++s) {
        double* c = c_m.col(s).data();
        if (m == mc) {
          for (Index k = 0; k < nc; ++k) c[k * nc + k] += d(k, s0 + s);
        } else {
          const double* a = at(a_chain, m).col(s).data();
          for (Index e = 0; e < lm.units * nc; ++e) c[e] += d(e % lm.units, s0 + s) * a[e];
        }
      }
    }
    // Diagonal block: packed C (i <= i') times the pairs abar[j] abar[j'] (j >= j').
    x_pack.resize(packed, sc);
    y_pairs.resize(n_pairs, sc);
    for (Index s = 0; s < sc; ++s) {
      const double* c = at(core, mc).col(s).data();
      double* x = x_pack.col(s).data();
      for (Index ip = 0; ip < nc; ++ip)
        for (Index i = 0; i <= ip; ++i) *x++ = c[ip * nc + i];
      double* y = y_pairs.col(s).data();
      for (const auto& [j, jp] : pairs) *y++ = abar(a_c, j, s0 + s) * abar(a_c, jp, s0 + s);
    }
    blas::gemm_nt(packed, n_pairs, sc, 1.0, x_pack.data(), packed, y_pairs.data(), n_pairs, 1.0,
                  z_diag.data(), packed);
    // Blocks below: the core term and the cross-layer term.
    for (Index m = mc + 1; m <= depth; ++m) {
      const auto& lm = net_.layout(m);
      const Matrix& a_in = state_.activation(m - 1);
      const Matrix& delta = state_.delta(m);
      y_outer.resize(lm.rows() * wj, sc);
      x_cross.resize(lm.units * wj, sc);
      for (Index s = 0; s < sc; ++s) {
        double* y = y_outer.col(s).data();
        double* x = x_cross.col(s).data();
        for (Index jp = ja; jp < jb; ++jp) {
          const double right = abar(a_c, jp, s0 + s);
          for (Index j = 0; j < lm.rows(); ++j) *y++ = abar(a_in, j, s0 + s) * right;
          for (Index i = 0; i < lm.units; ++i) *x++ = delta(i, s0 + s) * right;
        }
      }
      Matrix& zc = at(z_core, m);
      blas::gemm_nt(zc.rows(), zc.cols(), sc, 1.0, at(core, m).data(), zc.rows(), y_outer.data(),
                    y_outer.rows(), 1.0, zc.data(), zc.rows());
      Matrix& zx = at(z_cross, m);
      if (m - 1 == mc) {  // da_{m-1}/dz_mc = diag(phi'_mc): only j == i' survives
        blas::gemm_nt(zx.rows(), zx.cols(), sc, 1.0, x_cross.data(), zx.rows(),
                      state_.slope(mc).col(s0).data(), nc, 1.0, zx.data(), zx.rows());
      } else {
        e_chain = at(a_chain, m - 1);
        scale_rows(e_chain, lm.fan_in, state_.slope(m - 1), s0);
        blas::gemm_nt(zx.rows(), zx.cols(), sc, 1.0, x_cross.data(), zx.rows(), e_chain.data(),
                      e_chain.rows(), 1.0, zx.data(), zx.rows());
      }
    }
  }

  // Scatter into the panel: element (row, col) lives at panel[(row - c0) + ld * (col - c0)].
  const auto column = [&](Index col) { return panel + ld * (col - c0) - c0; };
  const auto in_panel = [&](Index col) { return col >= c0 && col < c1; };
  for (Index p = 0; p < n_pairs; ++p) {
    const auto [j, jp] = pairs[static_cast<std::size_t>(p)];
    const double* z = z_diag.col(p).data();
    for (Index ip = 0; ip < nc; ++ip) {
      for (Index i = 0; i <= ip; ++i) {
        const double v = z[packed_index(i, ip)];
        // (j,i)x(j',i') and, by the symmetry of C, (j,i')x(j',i); keep the lower ones.
        const Index row1 = lc.offset + j * nc + i, col1 = lc.offset + jp * nc + ip;
        if (in_panel(col1) && row1 >= col1) column(col1)[row1] += v;
        if (i == ip) continue;
        const Index row2 = lc.offset + j * nc + ip, col2 = lc.offset + jp * nc + i;
        if (in_panel(col2) && row2 >= col2) column(col2)[row2] += v;
      }
    }
  }
  for (Index m = mc + 1; m <= depth; ++m) {
    const auto& lm = net_.layout(m);
    const Matrix& zc = at(z_core, m);
    const Matrix& zx = at(z_cross, m);
    for (Index jp = ja; jp < jb; ++jp) {
      for (Index ip = 0; ip < nc; ++ip) {
        const Index col = lc.offset + jp * nc + ip;
        if (!in_panel(col)) continue;
        double* out = column(col) + lm.offset;
        for (Index j = 0; j < lm.rows(); ++j) {
          const double* z = zc.col(j + lm.rows() * (jp - ja)).data() + lm.units * ip;
          for (Index i = 0; i < lm.units; ++i) out[j * lm.units + i] += z[i];
        }
        const Index x0 = lm.units * (jp - ja);
        if (m - 1 == mc) {
          const double* z = zx.col(ip).data() + x0;  // j == i'
          for (Index i = 0; i < lm.units; ++i) out[ip * lm.units + i] += z[i];
        } else {
          for (Index j = 0; j < lm.fan_in; ++j) {
            const double* z = zx.col(j + lm.fan_in * ip).data() + x0;
            for (Index i = 0; i < lm.units; ++i) out[j * lm.units + i] += z[i];
          }
        }
      }
    }
  }
}

}  // namespace hessnet
