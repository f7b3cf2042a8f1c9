// SPDX-License-Identifier: MIT
#include "hessnet/dist/hessian_storage.hpp"

#include "hessnet/dist/agreement.hpp"

namespace hessnet {

void require_fit(const MemoryPlan& plan) {
  if (!plan.fits()) throw CollectiveError(plan.refusal());
}

HessianStorage::HessianStorage(const Communicator& comm, Index n, GridShape grid, Index block_size,
                               const AssemblyOptions& assembly, Precision precision, const EpochWork& work) {
  HESSNET_CHECK(block_size >= 1, "block size must be at least 1, got " + std::to_string(block_size));
  plan_ = plan_memory(comm, n, grid, block_size, assembly, precision, work);
  require_fit(plan_);
  grid_ = std::make_unique<BlacsGrid>(comm, grid);
  matrix_ = std::make_unique<DistMatrix>(*grid_, n, n, block_size);
}

HessianStorage::~HessianStorage() = default;

std::unique_ptr<FloatCholesky> HessianStorage::float_copy() const {
  return mixed_precision() ? std::make_unique<FloatCholesky>(*matrix_) : nullptr;
}

}  // namespace hessnet
