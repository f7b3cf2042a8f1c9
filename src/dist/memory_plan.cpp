// SPDX-License-Identifier: MIT
#include "hessnet/dist/memory_plan.hpp"

#include <mpi.h>

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <limits>

#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/panel_assembler.hpp"

namespace hessnet {
namespace {

double gib(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0); }

/// First number in a file such as /sys/fs/cgroup/memory.max ("max" means no limit).
std::size_t read_number(const char* path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return std::numeric_limits<std::size_t>::max();
  try {
    return static_cast<std::size_t>(std::stoull(word));
  } catch (...) {
    return std::numeric_limits<std::size_t>::max();
  }
}

int ranks_sharing_this_node(const Communicator& comm) {
  MPI_Comm node;
  HESSNET_MPI_CALL(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  int size = 1;
  MPI_Comm_size(node, &size);
  MPI_Comm_free(&node);
  return size;
}

}  // namespace

std::size_t available_memory_bytes() {
  std::size_t available = std::numeric_limits<std::size_t>::max();
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") available = kib * 1024;
  const std::size_t limit = read_number("/sys/fs/cgroup/memory.max");
  const std::size_t used = read_number("/sys/fs/cgroup/memory.current");
  if (limit != std::numeric_limits<std::size_t>::max() && used < limit) available = std::min(available, limit - used);
  return available;
}

std::string MemoryPlan::describe() const {
  const double ideal = 8.0 * static_cast<double>(n) * static_cast<double>(n) / grid.size();
  return fmt::format(
      "plan: N={} grid {}x{} nb={} panel={} | per rank: H {:.3f} GiB (8N^2/P = {:.3f} GiB), "
      "buffers {:.3f} GiB, work {:.3f} GiB, {} solve {:.3f} GiB, total {:.3f} GiB of {:.3f} GiB available "
      "({} ranks on node)",
      n, grid.nprow, grid.npcol, block_size, panel_width, gib(hessian_bytes), ideal / (1u << 30), gib(panel_bytes),
      gib(working_bytes), solve_bytes > 0 ? "mixed-precision" : "double", gib(solve_bytes), gib(total_bytes()),
      gib(available_bytes), ranks_on_node);
}

MemoryPlan plan_memory(const Communicator& comm, Index n, GridShape grid, Index block_size, Index panel_width,
                       std::size_t working_bytes) {
  MemoryPlan plan;
  plan.n = n;
  plan.grid = grid;
  plan.block_size = block_size;
  plan.panel_width = panel_width;
  // Process (0, 0) owns the most rows and columns.
  const Index rows = numroc(n, block_size, 0, 0, grid.nprow), cols = numroc(n, block_size, 0, 0, grid.npcol);
  plan.hessian_bytes = static_cast<std::size_t>(rows * cols) * sizeof(double);
  plan.panel_bytes = assembly_bytes(n, panel_width, comm.size());
  plan.working_bytes = static_cast<std::size_t>(allreduce_max(comm, static_cast<double>(working_bytes)));
  plan.ranks_on_node = ranks_sharing_this_node(comm);
  const double available = static_cast<double>(available_memory_bytes()) / plan.ranks_on_node;
  plan.available_bytes = static_cast<std::size_t>(allreduce_min(comm, available));
  return plan;
}

}  // namespace hessnet
