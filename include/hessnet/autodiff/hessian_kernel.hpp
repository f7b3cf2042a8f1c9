// SPDX-License-Identifier: MIT
#pragma once
/// @file Exact Hessian of the inner loss, one column panel at a time, as BLAS-3 work.
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "hessnet/autodiff/shard_state.hpp"

namespace hessnet {

struct KernelOptions {
  /// Working memory for one sample chunk (per-sample cores and outer products); the chunk
  /// is the inner dimension of the GEMMs, so larger chunks run closer to peak.
  std::size_t chunk_bytes = std::size_t{64} << 20;
  /// Fewest samples per chunk: the inner dimension of every GEMM.
  Index min_chunk = 64;
  /// Threads that each take a contiguous share of the samples, with their own workspace and
  /// single-threaded BLAS (0: share_threads()); never more than samples / min_chunk.
  /// Small GEMMs split poorly across threads; independent shares run at the one-thread rate.
  /// chunk_bytes is shared among them.
  int sample_splits = 0;
};

/// Adds a shard's share of the exact Hessian of the inner loss to column panels.
///
/// For layers m >= m' (units n, inputs with trailing 1 abar) the block of H that couples
/// layer m's parameter (j, i) (input row j, unit i) with layer m''s (j', i') is
/// \f[ \sum_s C^s_{m,m'}[i,i']\,\bar a^s_{m-1}[j]\,\bar a^s_{m'-1}[j']
///     + [m' < m]\,\delta^s_m[i]\,\frac{\partial a^s_{m-1}[j]}{\partial z^s_{m'}[i']}\,\bar a^s_{m'-1}[j'] \f]
/// with the cores C_{L,m'} = M A_{L<-m'}, C_{m,m'} = D_m A_{m<-m'} + diag(phi'_m) W_{m+1} C_{m+1,m'}
/// and A_{l<-m'} = dz_l/dz_{m'} (the layer-pair Kronecker form; the second term is the
/// cross-layer term that block-diagonal approximations drop). Each block is one GEMM with
/// the sample count as inner dimension; diagonal blocks use the symmetry of C and of
/// abar abar^T to do a quarter of the products.
///
/// With a ShardState of Curvature::GaussNewton the same machinery adds the generalised
/// Gauss-Newton matrix J^T M J: the cores then hold B_m^T M B_m' (no D_m), and the
/// cross-layer term is skipped.
class HessianKernel {
 public:
  explicit HessianKernel(const ShardState& state, KernelOptions options = {});
  ~HessianKernel();
  HessianKernel(const HessianKernel&) = delete;
  HessianKernel& operator=(const HessianKernel&) = delete;

  /// Adds rows [c0, N) x columns [c0, c1) of this shard's inner-loss Hessian into `panel`
  /// (column-major, leading dimension ld >= N - c0; panel row r is global row c0 + r).
  /// Entries above the diagonal inside the panel's leading square are left unspecified.
  /// `between_steps`, when given, is called between the GEMMs of each sample chunk (a few
  /// times per chunk and layer), e.g. to let a pending exchange progress; it must not touch
  /// `panel` or the kernel. With sample splits it runs on the calling thread only (MPI's
  /// FUNNELED level is enough).
  void add_lower_panel(Index c0, Index c1, double* panel, Index ld,
                       const std::function<void()>& between_steps = {}) const;

  /// Panel boundaries 0 = b_0 < ... < b_k = N, cut only between input rows of a layer so
  /// that no work is repeated at panel edges: each panel is as wide as possible without
  /// exceeding `target_width`, or one input row when a row alone is wider.
  std::vector<Index> panel_bounds(Index target_width) const;
  /// The same for any network with net's layers.
  static std::vector<Index> panel_bounds(const Network& net, Index target_width);

  /// The most bytes the workspace of a kernel on `net` holds while it adds the panels
  /// `bounds` with `samples` samples (0: any number): the sample-chunk buffers (at least
  /// min_chunk samples, so possibly beyond chunk_bytes) and the products of one layer, kept
  /// across that layer's panels. What the memory plan counts for the kernel.
  static std::size_t workspace_bytes(const Network& net, const std::vector<Index>& bounds, const KernelOptions& options,
                                     Index samples = 0);

 private:
  struct Workspace;
  struct Columns;  // the columns of one layer a call works on
  /// Columns of layer mc, input rows [ja, jb), restricted to global columns [c0, c1).
  void add_rows_of_layer(Index mc, Index ja, Index jb, Index c0, Index c1, double* panel, Index ld,
                         const std::function<void()>& between_steps) const;
  /// The products of samples [begin, end) for `cols`, accumulated in `ws`.
  void accumulate_samples(Workspace& ws, const Columns& cols, Index begin, Index end, Index chunk,
                          const std::function<void()>& between_steps) const;
  /// Per-sample cores C_{m,mc}, m > mc, and the packed triangle of C_{mc,mc}.
  void compute_cores(Workspace& ws, const Columns& cols, Index s0, Index sc) const;
  void pack_core_directly(Workspace& ws, const Columns& cols, Index s0, Index sc, Eigen::Map<Matrix> x_pack) const;
  void accumulate_products(Workspace& ws, const Columns& cols, Index s0, Index sc,
                           const std::function<void()>& between_steps) const;
  /// Calls f(slab_of, rows, cols) for each product a call accumulates (z_diag, then z_core and
  /// z_cross of every layer above), where slab_of(workspace) is its slab in any workspace.
  template <class F>
  void for_each_product(const Columns& cols, F&& f) const;
  /// Adds the products of `from` (another share of the samples) to those of `to`.
  void add_products(Workspace& to, Workspace& from, const Columns& cols) const;
  void scatter(Workspace& ws, const Columns& cols, double* panel, Index ld) const;

  const ShardState& state_;
  const Network& net_;
  KernelOptions options_;
  bool gauss_newton_;  // the state carries Gauss-Newton curvatures: skip the cross-layer terms
  std::vector<std::unique_ptr<Workspace>> workspaces_;  // one per sample split, reused across panels
};

}  // namespace hessnet
