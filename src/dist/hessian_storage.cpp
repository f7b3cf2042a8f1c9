// SPDX-License-Identifier: MIT
#include "hessnet/dist/hessian_storage.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/panel_assembler.hpp"

namespace hessnet {

HessianStorage::HessianStorage(const Communicator& comm, Index n, GridShape grid, Index block_size,
                               const AssemblyOptions& assembly, Precision precision) {
  HESSNET_CHECK(block_size >= 1, "block size must be at least 1, got " + std::to_string(block_size));
  const Index width = assembly_width(n, comm.size(), assembly);
  plan_ = plan_memory(comm, n, grid, block_size, width, assembly.kernel.chunk_bytes);
  // The float32 copy: half of H's bytes (the plan's numbers are agreed, so is the choice).
  if (precision != Precision::Double) {
    MemoryPlan mixed = plan_;
    mixed.solve_bytes = plan_.hessian_bytes / 2;
    if (precision == Precision::Mixed || mixed.total_bytes() <= mixed.available_bytes) plan_ = mixed;
  }
  if (plan_.total_bytes() > plan_.available_bytes)
    throw CollectiveError(fmt::format(  // the plan is agreed, so every rank throws this
        "the Hessian of {} parameters needs {:.2f} GiB per rank but only {:.2f} GiB is available per rank: "
        "run on more ranks or nodes ({})",
        n, static_cast<double>(plan_.total_bytes()) / (1 << 30), static_cast<double>(plan_.available_bytes) / (1 << 30),
        plan_.describe()));
  grid_ = std::make_unique<BlacsGrid>(comm, grid);
  matrix_ = std::make_unique<DistMatrix>(*grid_, n, n, block_size);
  if (plan_.solve_bytes > 0) single_ = std::make_unique<FloatCholesky>(*matrix_);
}

HessianStorage::~HessianStorage() = default;

Index HessianStorage::mirror_width() const {
  const auto n = static_cast<double>(std::max<Index>(plan_.n, 1));
  const double budget = static_cast<double>(assembly_bytes(plan_.n, plan_.panel_width, plan_.grid.size()));
  return std::max<Index>(1, static_cast<Index>(budget * plan_.grid.size() / (2 * sizeof(double) * n)));
}

}  // namespace hessnet
