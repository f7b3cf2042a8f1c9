// SPDX-License-Identifier: MIT
#pragma once
/// @file The distributed Hessian an optimizer or command keeps: its grid, its block-cyclic
/// matrix and the memory plan that admitted them.
#include <memory>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/float_cholesky.hpp"
#include "hessnet/dist/memory_plan.hpp"
#include "hessnet/optim/options.hpp"

namespace hessnet {

class HessianStorage {
 public:
  /// Collective over `comm`. Plans the memory of an n x n Hessian on `grid` with block size
  /// `block_size` and panels from `assembly` (assembly_width), then creates the grid and the
  /// matrix (zero). With Precision::Auto the float32 copy of a mixed-precision solve is
  /// planned when it fits, with Mixed always. Throws the same CollectiveError on every rank
  /// when the plan needs more memory per rank than the node has for it; nothing is allocated then.
  HessianStorage(const Communicator& comm, Index n, GridShape grid, Index block_size, const AssemblyOptions& assembly,
                 Precision precision = Precision::Double);
  ~HessianStorage();
  HessianStorage(const HessianStorage&) = delete;
  HessianStorage& operator=(const HessianStorage&) = delete;

  const MemoryPlan& plan() const { return plan_; }
  const BlacsGrid& grid() const { return *grid_; }
  DistMatrix& matrix() { return *matrix_; }
  const DistMatrix& matrix() const { return *matrix_; }
  /// Columns per assembly panel.
  Index panel_width() const { return plan_.panel_width; }
  /// The float32 copy mixed-precision solves factor, or nullptr for double precision.
  FloatCholesky* single_precision() { return single_.get(); }
  /// Columns per triangle copy of the damped solve (mirror_triangle): its send and receive
  /// buffers, about 2 x 8 N w / P bytes, stay within the planned assembly_bytes.
  Index mirror_width() const;

 private:
  MemoryPlan plan_;
  std::unique_ptr<BlacsGrid> grid_;
  std::unique_ptr<DistMatrix> matrix_;
  std::unique_ptr<FloatCholesky> single_;
};

}  // namespace hessnet
