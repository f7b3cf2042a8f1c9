// SPDX-License-Identifier: MIT
#include "hessnet/autodiff/hessian_kernel.hpp"

#include <omp.h>

#include <algorithm>
#include <exception>

#include "hessnet/core/blas.hpp"
#include "hessnet/core/error.hpp"
#include "hessnet/core/parallel.hpp"

namespace hessnet {
namespace {

using MatrixView = Eigen::Map<Matrix>;

/// abar_{m-1}[j] for sample s: the activation, or the 1 that multiplies the bias row.
inline double abar(const Matrix& a, Index j, Index s) { return j < a.rows() ? a(j, s) : 1.0; }

/// Position of (i, i'), i <= i', in a column-major packed upper triangle.
inline Index packed_index(Index i, Index ip) { return ip * (ip + 1) / 2 + i; }

/// Units of the next layer up to which the diagonal core is packed without a GEMM.
constexpr Index k_direct_pack_units = 16;

/// Column-major storage that only grows: panels and chunks reuse it instead of faulting in
/// fresh pages on every allocation.
class Slab {
 public:
  MatrixView view(Index rows, Index cols) {
    const auto size = static_cast<std::size_t>(rows * cols);
    if (memory_.size() < size) {
      // Exactly the size, the old block freed first: resize would copy and might double it,
      // beyond what workspace_bytes plans. No view outlives a growth that changes its size.
      memory_ = {};
      memory_.resize(size);
    }
    return {memory_.data(), rows, cols};
  }
  MatrixView zeros(Index rows, Index cols) {
    auto m = view(rows, cols);
    m.setZero();
    return m;
  }

 private:
  std::vector<double> memory_;
};

// The element loops below run over samples (or output columns) with parallel_for: they
// write disjoint memory, and the thread count follows the BLAS threads (place_blas_threads).

/// Multiplies each n x q per-sample block (column s of `batch`) row-wise by scale(:, s0 + s).
void scale_rows(MatrixView batch, Index n, const Matrix& scale, Index s0) {
  const Index q = batch.rows() / n;
  parallel_for(batch.cols(), batch.rows(), [&](Index s_begin, Index s_end) {
    for (Index s = s_begin; s < s_end; ++s) {
      const double* f = scale.col(s0 + s).data();
      double* x = batch.col(s).data();
      for (Index c = 0; c < q; ++c, x += n)
        for (Index k = 0; k < n; ++k) x[k] *= f[k];
    }
  });
}

/// Doubles in each slab of the workspace for layer mc's input rows [ja, jb) and chunks of
/// sc samples, in the Workspace's order: z_diag, x_pack, y_pairs, scaled, then per layer m
/// chain, core, z_core, z_cross, y_outer, x_cross. Linear in sc: the products at sc = 0.
std::vector<Index> slab_sizes(const Network& net, Index mc, Index ja, Index jb, Index sc) {
  const Index depth = net.depth(), nc = net.layout(mc).units, wj = jb - ja, rows = net.layout(mc).rows();
  const Index packed = nc * (nc + 1) / 2;
  Index pairs = 0;
  for (Index jp = ja; jp < jb; ++jp) pairs += rows - jp;
  std::vector<Index> sizes(static_cast<std::size_t>(4 + 6 * (depth + 1)), 0);
  const auto at = [&](Index m, int slab) -> Index& { return sizes[static_cast<std::size_t>(4 + 6 * m + slab)]; };
  sizes[0] = packed * pairs;
  sizes[1] = packed * sc;
  sizes[2] = pairs * sc;
  if (mc == depth || net.layout(mc + 1).units > k_direct_pack_units) at(mc, 1) = nc * nc * sc;  // C_{mc,mc} in full
  for (Index m = mc + 1; m <= depth; ++m) {
    const auto& l = net.layout(m);
    if (m >= mc + 2) sizes[3] = std::max(sizes[3], l.fan_in * nc * sc);
    at(m, 0) = l.units * nc * sc;
    at(m, 1) = l.units * nc * sc;
    at(m, 2) = l.units * nc * l.rows() * wj;
    at(m, 3) = l.units * wj * (m - 1 == mc ? l.fan_in : l.fan_in * nc);
    at(m, 4) = l.rows() * wj * sc;
    at(m, 5) = l.units * wj * sc;
  }
  return sizes;
}

Index total(const std::vector<Index>& sizes) {
  Index sum = 0;
  for (const Index s : sizes) sum += s;
  return sum;
}

/// Samples per chunk: as many as fit options.chunk_bytes, at least min_chunk, at most the
/// samples there are (samples <= 0: any number).
Index chunk_for(Index per_sample, const KernelOptions& options, Index samples) {
  const Index fit = static_cast<Index>(options.chunk_bytes / sizeof(double)) / std::max<Index>(per_sample, 1);
  if (samples <= 0) return std::max(fit, options.min_chunk);
  return std::clamp(fit, std::min(options.min_chunk, samples), samples);
}

/// Threads with a share of the samples each (KernelOptions::sample_splits); samples <= 0:
/// any number, so as many as asked for.
int splits_for(const KernelOptions& options, Index samples) {
  const Index wanted = options.sample_splits > 0 ? options.sample_splits : share_threads();
  const Index most = samples > 0 ? std::max<Index>(1, samples / std::max<Index>(options.min_chunk, 1)) : wanted;
  return static_cast<int>(std::clamp<Index>(wanted, 1, most));
}

/// Samples per chunk of one of `splits` shares: each has its part of chunk_bytes and at most
/// its part of the samples.
Index split_chunk(Index per_sample, KernelOptions options, Index samples, int splits) {
  options.chunk_bytes /= static_cast<std::size_t>(splits);
  return std::max<Index>(chunk_for(per_sample, options, samples > 0 ? (samples + splits - 1) / splits : 0), 1);
}

/// Calls f(mc, ja, jb) for the rows of each layer that panel [c0, c1) covers, in order.
template <class F>
void for_each_layer_rows(const Network& net, Index c0, Index c1, F&& f) {
  for (Index m = 1; m <= net.depth(); ++m) {
    const auto& l = net.layout(m);
    const Index lo = std::max(c0, l.offset), hi = std::min(c1, l.offset + l.size());
    if (lo < hi) f(m, (lo - l.offset) / l.units, (hi - l.offset + l.units - 1) / l.units);
  }
}

}  // namespace

struct HessianKernel::Workspace {
  explicit Workspace(Index depth)
      : chain(static_cast<std::size_t>(depth + 1)),
        core(chain.size()),
        z_core(chain.size()),
        z_cross(chain.size()),
        y_outer(chain.size()),
        x_cross(chain.size()) {}
  std::vector<Slab> chain, core, z_core, z_cross, y_outer, x_cross;
  Slab z_diag, x_pack, y_pairs, scaled;
  // The cores depend on the layer and the samples only, not on the panel's columns: the
  // panels of one layer reuse them while the chunk stays the same (e.g. one chunk per shard).
  struct CoresOf {
    Index mc = -1, s0 = -1, sc = -1;
    bool operator==(const CoresOf&) const = default;
  } cores_of;
  Index layer = -1;  // whose buffers these are
};

struct HessianKernel::Columns {
  Index mc, ja, jb, c0, c1;                    // layer, its input rows [ja, jb), global columns [c0, c1)
  Index nc, wj, packed;                        // units, rows in range, packed triangle size
  std::vector<std::pair<Index, Index>> pairs;  // (j, j'), j >= j': the diagonal block's lower half
};

HessianKernel::HessianKernel(const ShardState& state, KernelOptions options)
    : state_(state),
      net_(state.network()),
      options_(options),
      gauss_newton_(state.curvature_kind() == Curvature::GaussNewton) {
  // An empty shard (samples 0 would mean "any number" to splits_for) has one share.
  const int splits = splits_for(options_, std::max<Index>(state_.samples(), 1));
  for (int t = 0; t < splits; ++t) workspaces_.push_back(std::make_unique<Workspace>(net_.depth()));
}

HessianKernel::~HessianKernel() = default;

std::vector<Index> HessianKernel::panel_bounds(Index target_width) const { return panel_bounds(net_, target_width); }

std::vector<Index> HessianKernel::panel_bounds(const Network& net, Index target_width) {
  HESSNET_CHECK(target_width > 0, "panel width must be positive");
  std::vector<Index> cuts;  // ends of input rows: the places a panel may end
  for (Index m = 1; m <= net.depth(); ++m) {
    const auto& l = net.layout(m);
    for (Index j = 1; j <= l.rows(); ++j) cuts.push_back(l.offset + j * l.units);
  }
  // Greedy: each panel ends at the last cut within target_width (the width sizes buffers,
  // so it is an upper bound), or at the next cut when one row alone is wider.
  std::vector<Index> bounds{0};
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    const bool last = k + 1 == cuts.size();
    if (last || cuts[k + 1] - bounds.back() > target_width) bounds.push_back(cuts[k]);
  }
  return bounds;
}

std::size_t HessianKernel::workspace_bytes(const Network& net, const std::vector<Index>& bounds,
                                           const KernelOptions& options, Index samples) {
  // Within a layer every slab keeps its largest size over the layer's panels; a new layer
  // starts from an empty workspace. The peak is the largest layer's sum, once per split.
  const int splits = splits_for(options, samples);
  Index peak = 0, layer = -1;
  std::vector<Index> kept;
  const auto close = [&] { peak = std::max(peak, total(kept)); };
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
    for_each_layer_rows(net, bounds[k], bounds[k + 1], [&](Index mc, Index ja, Index jb) {
      const Index per_sample = total(slab_sizes(net, mc, ja, jb, 1)) - total(slab_sizes(net, mc, ja, jb, 0));
      std::vector<Index> sizes = slab_sizes(net, mc, ja, jb, split_chunk(per_sample, options, samples, splits));
      for (Index& size : sizes) size *= splits;
      Index pairs = 0;  // Columns::pairs, two indices each, alive during the call
      for (Index jp = ja; jp < jb; ++jp) pairs += net.layout(mc).rows() - jp;
      sizes.push_back(2 * pairs);
      if (mc != layer) {
        close();
        kept.assign(sizes.size(), 0);
        layer = mc;
      }
      for (std::size_t s = 0; s < sizes.size(); ++s) kept[s] = std::max(kept[s], sizes[s]);
    });
  }
  close();
  return static_cast<std::size_t>(peak) * sizeof(double);
}

void HessianKernel::add_lower_panel(Index c0, Index c1, double* panel, Index ld,
                                    const std::function<void()>& between_steps) const {
  const Index n = net_.n_params();
  HESSNET_CHECK(0 <= c0 && c0 < c1 && c1 <= n, "panel columns out of range");
  HESSNET_CHECK(ld >= n - c0, "panel leading dimension too small");
  for_each_layer_rows(net_, c0, c1, [&](Index mc, Index ja, Index jb) {
    add_rows_of_layer(mc, ja, jb, c0, c1, panel, ld, between_steps);
  });
}

void HessianKernel::add_rows_of_layer(Index mc, Index ja, Index jb, Index c0, Index c1, double* panel, Index ld,
                                      const std::function<void()>& between_steps) const {
  const auto& lc = net_.layout(mc);
  Columns cols{mc, ja, jb, c0, c1, lc.units, jb - ja, lc.units * (lc.units + 1) / 2, {}};
  for (Index jp = ja; jp < jb; ++jp)
    for (Index j = jp; j < lc.rows(); ++j) cols.pairs.emplace_back(j, jp);
  const auto splits = static_cast<int>(workspaces_.size());
  const Index samples = state_.samples();
  const Index per_sample =
      total(slab_sizes(net_, mc, ja, jb, 1)) - total(slab_sizes(net_, mc, ja, jb, 0));  // as workspace_bytes counts
  const Index chunk = split_chunk(per_sample, options_, samples, splits);
  const auto share = [&](int t) {
    accumulate_samples(*workspaces_[static_cast<std::size_t>(t)], cols, samples * t / splits,
                       samples * (t + 1) / splits, chunk, t == 0 ? between_steps : std::function<void()>{});
  };
  if (splits == 1) {
    share(0);
  } else {
    // Each share runs its GEMMs on one BLAS thread; the element loops see the enclosing
    // parallel region and stay serial (parallel_for).
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(splits));
    const int blas_threads = blas::threads();
    blas::set_threads(1);
#pragma omp parallel for schedule(static, 1) num_threads(splits)
    for (int t = 0; t < splits; ++t) {  // share 0 on the calling thread: it runs between_steps
      try {
        share(t);
      } catch (...) {
        failures[static_cast<std::size_t>(t)] = std::current_exception();
      }
    }
    blas::set_threads(blas_threads);
    for (const std::exception_ptr& failure : failures)
      if (failure) std::rethrow_exception(failure);
  }
  Workspace& first = *workspaces_.front();
  for (int t = 1; t < splits; ++t) add_products(first, *workspaces_[static_cast<std::size_t>(t)], cols);
  scatter(first, cols, panel, ld);
}

template <class F>
void HessianKernel::for_each_product(const Columns& cols, F&& f) const {
  f([](Workspace& ws) -> Slab& { return ws.z_diag; }, cols.packed, static_cast<Index>(cols.pairs.size()));
  for (Index m = cols.mc + 1; m <= net_.depth(); ++m) {
    const auto& l = net_.layout(m);
    const auto k = static_cast<std::size_t>(m);
    f([k](Workspace& ws) -> Slab& { return ws.z_core[k]; }, l.units* cols.nc, l.rows() * cols.wj);
    f([k](Workspace& ws) -> Slab& { return ws.z_cross[k]; }, l.units* cols.wj,
      m - 1 == cols.mc ? l.fan_in : l.fan_in * cols.nc);
  }
}

void HessianKernel::add_products(Workspace& to, Workspace& from, const Columns& cols) const {
  for_each_product(cols, [&](const auto& slab_of, Index rows, Index cols_) {
    double* x = slab_of(to).view(rows, cols_).data();
    const double* y = slab_of(from).view(rows, cols_).data();
    parallel_for(rows * cols_, 1, [&](Index begin, Index end) {
      for (Index e = begin; e < end; ++e) x[e] += y[e];
    });
  });
}

void HessianKernel::accumulate_samples(Workspace& ws, const Columns& cols, Index begin, Index end, Index chunk,
                                       const std::function<void()>& between_steps) const {
  // Each layer sizes the buffers differently: free the previous layer's before growing
  // these, so the peak is one layer's chunk and products, not the sum over layers.
  if (ws.layer != cols.mc) {
    ws = Workspace(net_.depth());
    ws.layer = cols.mc;
  }
  // Products accumulated over all sample chunks, scattered into the panel at the end.
  for_each_product(cols, [&](const auto& slab_of, Index rows, Index cols_) { slab_of(ws).zeros(rows, cols_); });
  for (Index s0 = begin; s0 < end; s0 += chunk) {
    const Index sc = std::min(chunk, end - s0);
    const Workspace::CoresOf wanted{cols.mc, s0, sc};
    if (!(ws.cores_of == wanted)) {
      ws.cores_of = {};  // invalid while being overwritten, in case compute_cores throws
      compute_cores(ws, cols, s0, sc);
      ws.cores_of = wanted;
      if (between_steps) between_steps();
    }
    accumulate_products(ws, cols, s0, sc, between_steps);
  }
}

void HessianKernel::compute_cores(Workspace& ws, const Columns& cols, Index s0, Index sc) const {
  const Index depth = net_.depth(), mc = cols.mc, nc = cols.nc;
  const auto chain = [&](Index l) { return ws.chain[static_cast<std::size_t>(l)].view(net_.layout(l).units * nc, sc); };
  const auto core = [&](Index m) { return ws.core[static_cast<std::size_t>(m)].view(net_.layout(m).units * nc, sc); };
  // A_{l<-mc} = dz_l/dz_mc per sample (n_l x nc blocks), l = mc+1..L.
  for (Index l = mc + 1; l <= depth; ++l) {
    const auto& ll = net_.layout(l);
    auto a_l = chain(l);
    const auto wt = net_.weight_transposed(l);
    if (l == mc + 1) {
      const Matrix& slope = state_.slope(mc);
      parallel_for(sc, a_l.rows(), [&](Index s_begin, Index s_end) {
        for (Index s = s_begin; s < s_end; ++s)
          for (Index ip = 0; ip < nc; ++ip)
            a_l.col(s).segment(ip * ll.units, ll.units) = wt.col(ip) * slope(ip, s0 + s);
      });
    } else {
      auto scaled = ws.scaled.view(ll.fan_in * nc, sc);
      scaled = chain(l - 1);
      scale_rows(scaled, ll.fan_in, state_.slope(l - 1), s0);
      blas::gemm_nn(ll.units, nc * sc, ll.fan_in, 1.0, wt.data(), ll.units, scaled.data(), ll.fan_in, 0.0, a_l.data(),
                    ll.units);
    }
  }
  // C_{L,mc} = M A_{L<-mc} (C_{L,L} = M).
  const Index n_out = net_.outputs();
  const Matrix& mout = state_.output_curvature();
  const bool diagonal_m = state_.output_curvature_is_diagonal();
  auto c_top = core(depth);
  if (mc == depth) {
    c_top.setZero();
    for (Index s = 0; s < sc; ++s) {
      if (!diagonal_m)
        c_top.col(s) = mout.col(s0 + s);
      else
        for (Index k = 0; k < n_out; ++k) c_top(k * n_out + k, s) = mout(k, s0 + s);
    }
  } else if (diagonal_m) {
    c_top = chain(depth);
    scale_rows(c_top, n_out, mout, s0);
  } else {
    const auto a_top = chain(depth);
    for (Index s = 0; s < sc; ++s)
      blas::gemm_nn(n_out, nc, n_out, 1.0, mout.col(s0 + s).data(), n_out, a_top.col(s).data(), n_out, 0.0,
                    c_top.col(s).data(), n_out);
  }
  // C_{m,mc} = diag(phi'_m) W_{m+1} C_{m+1,mc} + D_m A_{m<-mc}, down to m = mc (A = I).
  auto x_pack = ws.x_pack.view(cols.packed, sc);
  for (Index m = depth - 1; m >= mc; --m) {
    const auto& lm = net_.layout(m);
    const Index next_units = net_.layout(m + 1).units;
    if (m == mc && next_units <= k_direct_pack_units) {
      pack_core_directly(ws, cols, s0, sc, x_pack);
      return;
    }
    auto c_m = core(m);
    blas::gemm_tn(lm.units, nc * sc, next_units, 1.0, net_.weight_transposed(m + 1).data(), next_units,
                  core(m + 1).data(), next_units, 0.0, c_m.data(), lm.units);
    scale_rows(c_m, lm.units, state_.slope(m), s0);
    const Matrix& d = state_.curvature(m);
    if (m == mc) {
      parallel_for(sc, nc, [&](Index s_begin, Index s_end) {
        for (Index s = s_begin; s < s_end; ++s)
          for (Index k = 0; k < nc; ++k) c_m(k * nc + k, s) += d(k, s0 + s);
      });
      break;
    }
    const auto a_m = chain(m);
    parallel_for(sc, c_m.rows(), [&](Index s_begin, Index s_end) {
      for (Index s = s_begin; s < s_end; ++s) {
        const double* f = d.col(s0 + s).data();
        const double* a = a_m.col(s).data();
        double* c = c_m.col(s).data();
        for (Index ip = 0; ip < nc; ++ip, a += lm.units, c += lm.units)
          for (Index k = 0; k < lm.units; ++k) c[k] += f[k] * a[k];
      }
    });
  }
  // The diagonal block needs only the upper triangle (i <= i') of the symmetric C_{mc,mc}.
  const auto c_mc = core(mc);
  parallel_for(sc, cols.packed, [&](Index s_begin, Index s_end) {
    for (Index s = s_begin; s < s_end; ++s) {
      const double* c = c_mc.col(s).data();
      double* x = x_pack.col(s).data();
      for (Index ip = 0; ip < nc; ++ip)
        for (Index i = 0; i <= ip; ++i) *x++ = c[ip * nc + i];
    }
  });
}

void HessianKernel::pack_core_directly(Workspace& ws, const Columns& cols, Index s0, Index sc,
                                       Eigen::Map<Matrix> x_pack) const {
  // C_{mc,mc} = diag(phi') W C_{mc+1,mc} + D with few units above: summing the K products
  // straight into the packed triangle skips writing, scaling and re-reading the full square.
  const Index mc = cols.mc, nc = cols.nc, k_units = net_.layout(mc + 1).units;
  const Matrix w_rows = net_.weight_transposed(mc + 1).transpose();  // nc x k_units: W(k, :) per column
  const auto next = ws.core[static_cast<std::size_t>(mc + 1)].view(k_units * nc, sc);
  const Matrix& slope = state_.slope(mc);
  const Matrix& d = state_.curvature(mc);
  parallel_for(sc, 2 * k_units * x_pack.rows(), [&](Index s_begin, Index s_end) {
    for (Index s = s_begin; s < s_end; ++s) {
      const double* f = slope.col(s0 + s).data();
      const double* c = next.col(s).data();  // C_{mc+1,mc}: k_units x nc
      double* x = x_pack.col(s).data();
      for (Index ip = 0; ip < nc; ++ip) {
        // x[i] = f[i] sum_k W(k, i) C[k, i'] for i <= i': k-outer so the i loop vectorizes.
        const double* c_col = c + ip * k_units;
        const double* w0 = w_rows.col(0).data();
        for (Index i = 0; i <= ip; ++i) x[i] = w0[i] * c_col[0];
        for (Index k = 1; k < k_units; ++k) {
          const double* wk = w_rows.col(k).data();
          const double ck = c_col[k];
          for (Index i = 0; i <= ip; ++i) x[i] += wk[i] * ck;
        }
        for (Index i = 0; i <= ip; ++i) x[i] *= f[i];
        x[ip] += d(ip, s0 + s);
        x += ip + 1;
      }
    }
  });
}

void HessianKernel::accumulate_products(Workspace& ws, const Columns& cols, Index s0, Index sc,
                                        const std::function<void()>& between_steps) const {
  const Index mc = cols.mc, nc = cols.nc, n_pairs = static_cast<Index>(cols.pairs.size());
  const Matrix& a_c = state_.activation(mc - 1);
  // Diagonal block: packed C (i <= i', from compute_cores) times the pairs abar[j] abar[j']
  // (j >= j').
  const auto x_pack = ws.x_pack.view(cols.packed, sc);
  auto y_pairs = ws.y_pairs.view(n_pairs, sc);
  parallel_for(sc, n_pairs, [&](Index s_begin, Index s_end) {
    for (Index s = s_begin; s < s_end; ++s) {
      double* y = y_pairs.col(s).data();
      for (const auto& [j, jp] : cols.pairs) *y++ = abar(a_c, j, s0 + s) * abar(a_c, jp, s0 + s);
    }
  });
  auto z_diag = ws.z_diag.view(cols.packed, n_pairs);
  blas::gemm_nt(cols.packed, n_pairs, sc, 1.0, x_pack.data(), cols.packed, y_pairs.data(), n_pairs, 1.0, z_diag.data(),
                cols.packed);
  if (between_steps) between_steps();
  // Blocks below: the core term and the cross-layer term.
  for (Index m = mc + 1; m <= net_.depth(); ++m) {
    const auto k = static_cast<std::size_t>(m);
    const auto& lm = net_.layout(m);
    const Matrix& a_in = state_.activation(m - 1);
    const Matrix& delta = state_.delta(m);
    auto y_outer = ws.y_outer[k].view(lm.rows() * cols.wj, sc);
    auto x_cross = ws.x_cross[k].view(lm.units * cols.wj, sc);
    parallel_for(sc, y_outer.rows() + x_cross.rows(), [&](Index s_begin, Index s_end) {
      for (Index s = s_begin; s < s_end; ++s) {
        double* y = y_outer.col(s).data();
        double* x = x_cross.col(s).data();
        for (Index jp = cols.ja; jp < cols.jb; ++jp) {
          const double right = abar(a_c, jp, s0 + s);
          for (Index j = 0; j < lm.rows(); ++j) *y++ = abar(a_in, j, s0 + s) * right;
          for (Index i = 0; i < lm.units; ++i) *x++ = delta(i, s0 + s) * right;
        }
      }
    });
    auto zc = ws.z_core[k].view(lm.units * nc, lm.rows() * cols.wj);
    blas::gemm_nt(zc.rows(), zc.cols(), sc, 1.0, ws.core[k].view(lm.units * nc, sc).data(), zc.rows(), y_outer.data(),
                  y_outer.rows(), 1.0, zc.data(), zc.rows());
    if (between_steps) between_steps();
    if (gauss_newton_) continue;  // J^T M J has no cross-layer term (it comes from delta)
    const bool adjacent = m - 1 == mc;
    auto zx = ws.z_cross[k].view(lm.units * cols.wj, adjacent ? lm.fan_in : lm.fan_in * nc);
    if (adjacent) {  // da_{m-1}/dz_mc = diag(phi'_mc): only j == i' survives
      blas::gemm_nt(zx.rows(), zx.cols(), sc, 1.0, x_cross.data(), zx.rows(), state_.slope(mc).col(s0).data(), nc, 1.0,
                    zx.data(), zx.rows());
    } else {  // da_{m-1}/dz_mc = diag(phi'_{m-1}) A_{m-1<-mc}
      auto e = ws.scaled.view(lm.fan_in * nc, sc);
      e = ws.chain[k - 1].view(lm.fan_in * nc, sc);
      scale_rows(e, lm.fan_in, state_.slope(m - 1), s0);
      blas::gemm_nt(zx.rows(), zx.cols(), sc, 1.0, x_cross.data(), zx.rows(), e.data(), e.rows(), 1.0, zx.data(),
                    zx.rows());
    }
    if (between_steps) between_steps();
  }
}

void HessianKernel::scatter(Workspace& ws, const Columns& cols, double* panel, Index ld) const {
  const auto& lc = net_.layout(cols.mc);
  const Index nc = cols.nc, n_pairs = static_cast<Index>(cols.pairs.size());
  // Element (row, col) lives at panel[(row - c0) + ld * (col - c0)].
  const auto column = [&](Index col) { return panel + ld * (col - cols.c0) - cols.c0; };
  const auto in_panel = [&](Index col) { return col >= cols.c0 && col < cols.c1; };
  const auto z_diag = ws.z_diag.view(cols.packed, n_pairs);
  parallel_for(n_pairs, 2 * cols.packed, [&](Index p_begin, Index p_end) {
    for (Index p = p_begin; p < p_end; ++p) {
      const auto [j, jp] = cols.pairs[static_cast<std::size_t>(p)];
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
  });
  for (Index m = cols.mc + 1; m <= net_.depth(); ++m) {
    const auto k = static_cast<std::size_t>(m);
    const auto& lm = net_.layout(m);
    const bool adjacent = m - 1 == cols.mc;
    const auto zc = ws.z_core[k].view(lm.units * nc, lm.rows() * cols.wj);
    const auto zx = ws.z_cross[k].view(lm.units * cols.wj, adjacent ? lm.fan_in : lm.fan_in * nc);
    parallel_for(cols.wj * nc, lm.units * (lm.rows() + lm.fan_in), [&](Index t_begin, Index t_end) {
      for (Index t = t_begin; t < t_end; ++t) {  // one output column (j', i') each
        const Index jp = cols.ja + t / nc, ip = t % nc;
        const Index col = lc.offset + jp * nc + ip;
        if (!in_panel(col)) continue;
        double* out = column(col) + lm.offset;
        for (Index j = 0; j < lm.rows(); ++j) {
          const double* z = zc.col(j + lm.rows() * (jp - cols.ja)).data() + lm.units * ip;
          for (Index i = 0; i < lm.units; ++i) out[j * lm.units + i] += z[i];
        }
        if (gauss_newton_) continue;
        const Index x0 = lm.units * (jp - cols.ja);
        if (adjacent) {
          const double* z = zx.col(ip).data() + x0;  // j == i'
          for (Index i = 0; i < lm.units; ++i) out[ip * lm.units + i] += z[i];
          continue;
        }
        for (Index j = 0; j < lm.fan_in; ++j) {
          const double* z = zx.col(j + lm.fan_in * ip).data() + x0;
          for (Index i = 0; i < lm.units; ++i) out[j * lm.units + i] += z[i];
        }
      }
    });
  }
}

}  // namespace hessnet
