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
  /// Collective over `comm`. Plans the memory of an epoch on an n x n Hessian (plan_memory:
  /// `grid`, `block_size`, panels from `assembly`, the epoch's `work`), then creates the grid
  /// and the matrix (zero). Throws the same CollectiveError on every rank when the plan needs
  /// more memory per rank than the node has for it; nothing is allocated then.
  HessianStorage(const Communicator& comm, Index n, GridShape grid, Index block_size, const AssemblyOptions& assembly,
                 Precision precision = Precision::Double, const EpochWork& work = {});
  ~HessianStorage();
  HessianStorage(const HessianStorage&) = delete;
  HessianStorage& operator=(const HessianStorage&) = delete;

  const MemoryPlan& plan() const { return plan_; }
  const BlacsGrid& grid() const { return *grid_; }
  DistMatrix& matrix() { return *matrix_; }
  const DistMatrix& matrix() const { return *matrix_; }
  /// Columns per assembly panel.
  Index panel_width() const { return plan_.panel_width; }
  /// Whether the plan has the solves factor a float32 copy.
  bool mixed_precision() const { return plan_.solve_bytes > 0; }
  /// A new float32 copy in H's layout for the solves of one update, nullptr for double
  /// precision. Planned in the solve phase only: free it before the next assembly.
  std::unique_ptr<FloatCholesky> float_copy() const;
  /// Columns per triangle copy of the damped solve (mirror_triangle), as planned.
  Index mirror_width() const { return plan_.mirror_width; }

 private:
  MemoryPlan plan_;
  std::unique_ptr<BlacsGrid> grid_;
  std::unique_ptr<DistMatrix> matrix_;
};

/// Throws plan.refusal() as a CollectiveError when the plan does not fit (it is agreed, so
/// every rank throws).
void require_fit(const MemoryPlan& plan);

}  // namespace hessnet
