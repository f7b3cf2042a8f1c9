// SPDX-License-Identifier: MIT
#include "hessnet/dist/memory_plan.hpp"

#include <mpi.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>

#include "hessnet/autodiff/hessian_kernel.hpp"
#include "hessnet/autodiff/shard_state.hpp"
#include "hessnet/core/parallel.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/dist/panel_assembler.hpp"

namespace hessnet {
namespace {

constexpr std::size_t k_mib = std::size_t{1} << 20;
/// MPI and BLAS buffers (OpenBLAS's per-thread GEMM buffers, MPI's eager and shared-memory
/// segments) that appear after the plan, on top of what is resident then.
constexpr std::size_t k_library_buffers = 128 * k_mib;
/// Replicated vectors of length N (gradient, step, Lanczos basis, refinement residuals).
constexpr std::size_t k_replicated_vectors = 64;

std::atomic<std::size_t> memory_limit{0};

double gib(std::size_t bytes) { return static_cast<double>(bytes) / static_cast<double>(1024 * k_mib); }

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

std::size_t agreed_max(const Communicator& comm, std::size_t bytes) {
  return static_cast<std::size_t>(allreduce_max(comm, static_cast<double>(bytes)));
}

/// Buffers PBLAS allocates in pdpotrf, pdsymv and pdsytrd: a few nb-wide panels of the
/// local rows and columns.
std::size_t pblas_bytes(Index rows, Index cols, Index nb) {
  return static_cast<std::size_t>(4 * nb * (rows + cols)) * sizeof(double);
}

/// Columns per triangle copy: its send and receive buffers (2 x 8 n w / P) within the
/// assembly's budget, and not beyond an eighth of H's share (at least 64 MiB).
Index mirror_width_for(const MemoryPlan& plan) {
  const double share = std::max(static_cast<double>(plan.hessian_bytes) / 8, 64.0 * k_mib);
  const double budget = std::min(static_cast<double>(plan.assembly_bytes), share);
  const auto n = static_cast<double>(std::max<Index>(plan.n, 1));
  const auto w = static_cast<Index>(budget * plan.grid.size() / (2 * sizeof(double) * n));
  return std::clamp<Index>(w, 1, std::max<Index>(plan.n, 1));
}

}  // namespace

std::size_t MemoryPlan::slack_bytes() const {
  const std::size_t phases = std::max({assembly_phase(), solve_phase(), eigen_bytes});
  return 16 * k_mib + (hessian_bytes + phases) / 32;
}

std::size_t MemoryPlan::total_bytes() const {
  return baseline_bytes + hessian_bytes + std::max({assembly_phase(), solve_phase(), eigen_bytes}) + slack_bytes();
}

std::string MemoryPlan::describe() const {
  const double ideal = 8.0 * static_cast<double>(n) * static_cast<double>(n) / grid.size();
  return fmt::format(
      "plan: N={} grid {}x{} nb={} panel={} | per rank: baseline {:.3f} GiB, H {:.3f} GiB (8N^2/P = {:.3f} GiB), "
      "then the largest of assembly {:.3f} + state {:.3f} GiB, {} solve {:.3f} + solver {:.3f} + state {:.3f} GiB, "
      "eigensolver {:.3f} GiB; slack {:.3f} GiB; total {:.3f} GiB of {:.3f} GiB available ({} ranks on node)",
      n, grid.nprow, grid.npcol, block_size, panel_width, gib(baseline_bytes), gib(hessian_bytes),
      ideal / (1024.0 * k_mib), gib(assembly_bytes), gib(state_bytes), solve_bytes > 0 ? "mixed-precision" : "double",
      gib(solve_bytes), gib(solver_bytes), gib(state_bytes), gib(eigen_bytes), gib(slack_bytes()), gib(total_bytes()),
      gib(available_bytes), ranks_on_node);
}

std::string MemoryPlan::refusal() const {
  std::string advice = "run on more ranks or nodes";
  if (solve_bytes > 0 && solve_phase() >= assembly_phase()) advice += ", or use --precision double";
  if (assembly_phase() > solve_phase()) advice += ", or give narrower panels (--panel) or fewer samples per rank";
  return fmt::format(
      "a job with the Hessian of {} parameters needs {:.2f} GiB per rank but only {:.2f} GiB is available per rank: "
      "{} ({})",
      n, gib(total_bytes()), gib(available_bytes), advice, describe());
}

std::size_t assembly_bytes(Index n, const Network* net, Index width, int nranks, const AssemblyOptions& assembly,
                           Index samples) {
  if (n <= 0) return 0;
  const PanelReduction reduction = assembly.overlap ? PanelReduction::Overlapped : PanelReduction::Sequential;
  if (net == nullptr) return panel_buffer_bytes(n, width, nranks, reduction);
  const std::vector<Index> bounds = HessianKernel::panel_bounds(*net, width);
  Index widest = 1;  // may exceed width: one input row is never split
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) widest = std::max(widest, bounds[k + 1] - bounds[k]);
  return panel_buffer_bytes(n, widest, nranks, reduction) +
         HessianKernel::workspace_bytes(*net, bounds, assembly.kernel, samples);
}

AssemblyOptions with_agreed_shares(const Communicator& comm, AssemblyOptions options) {
  if (options.kernel.sample_splits <= 0)
    options.kernel.sample_splits = static_cast<int>(allreduce_max(comm, static_cast<double>(share_threads())));
  return options;
}

Index assembly_width(Index n, const Network* net, int nranks, const AssemblyOptions& options) {
  if (n <= 0) return 1;
  if (options.panel_width > 0) return std::min(options.panel_width, n);
  // Wider panels repeat less per-sample work, so the budget is spent in full.
  const double share = 8.0 * static_cast<double>(n) * static_cast<double>(n) / nranks;
  const double cap = nranks > 1 ? std::max(share / 8, 64.0 * k_mib) : share;
  const double budget = std::min(static_cast<double>(options.panel_bytes), cap);
  const auto fits = [&](Index w) { return static_cast<double>(assembly_bytes(n, net, w, nranks, options)) <= budget; };
  Index low = std::min<Index>(n, 64), high = n;  // assembly_bytes grows with the width
  if (fits(high)) return high;
  while (high - low > 1) {
    const Index mid = low + (high - low) / 2;
    (fits(mid) ? low : high) = mid;
  }
  return low;
}

MemoryPlan plan_memory(const Communicator& comm, Index n, GridShape grid, Index block_size,
                       const AssemblyOptions& requested, Precision precision, const EpochWork& work) {
  const AssemblyOptions assembly = with_agreed_shares(comm, requested);
  MemoryPlan plan;
  plan.n = n;
  plan.grid = grid;
  plan.block_size = block_size;
  const Index width = assembly_width(n, work.network, comm.size(), assembly);
  plan.panel_width = width;
  if (work.network != nullptr) {  // one input row is never split: a panel may be wider
    const std::vector<Index> bounds = HessianKernel::panel_bounds(*work.network, width);
    for (std::size_t k = 0; k + 1 < bounds.size(); ++k)
      plan.panel_width = std::max(plan.panel_width, bounds[k + 1] - bounds[k]);
  }
  // Process (0, 0) owns the most rows and columns.
  const Index rows = numroc(n, block_size, 0, 0, grid.nprow), cols = numroc(n, block_size, 0, 0, grid.npcol);
  plan.hessian_bytes = static_cast<std::size_t>(rows * cols) * sizeof(double);
  const Index samples = static_cast<Index>(allreduce_max(comm, static_cast<double>(work.samples)));
  plan.assembly_bytes = assembly_bytes(n, work.network, width, comm.size(), assembly, samples);
  if (work.network != nullptr) plan.state_bytes = ShardState::bytes(*work.network, samples);
  plan.mirror_width = mirror_width_for(plan);
  const auto mirror = static_cast<std::size_t>(2 * n * plan.mirror_width / std::max(grid.size(), 1)) * sizeof(double);
  plan.solver_bytes = mirror + pblas_bytes(rows, cols, block_size);
  // pdsyev, eigenvalues only: 5N + nb (local rows + 1) + 3 nb doubles, and pdsytrd's PBLAS.
  if (work.eigenvalues)
    plan.eigen_bytes = static_cast<std::size_t>(6 * n + block_size * (rows + 4)) * sizeof(double) +
                       pblas_bytes(rows, cols, block_size);
  const auto vectors = static_cast<std::size_t>(n) * k_replicated_vectors * sizeof(double);
  plan.baseline_bytes = agreed_max(comm, resident_bytes()) + k_library_buffers + vectors;
  plan.ranks_on_node = ranks_sharing_this_node(comm);
  // Detected memory is what is free now: this rank's resident memory comes on top of it.
  const double node = static_cast<double>(available_memory_bytes()) / plan.ranks_on_node;
  const double mine = node + (memory_limit_given() ? 0.0 : static_cast<double>(resident_bytes()));
  plan.available_bytes = static_cast<std::size_t>(allreduce_min(comm, mine));
  // The float32 copy: half of H's bytes (the plan's numbers are agreed, so is the choice).
  if (precision != Precision::Double) {
    MemoryPlan mixed = plan;
    mixed.solve_bytes = plan.hessian_bytes / 2;
    if (precision == Precision::Mixed || mixed.fits()) plan = mixed;
  }
  return plan;
}

std::size_t available_memory_bytes() {
  if (memory_limit_given()) return memory_limit.load();
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

void set_memory_limit(std::size_t bytes) { memory_limit = bytes; }

bool memory_limit_given() {
  if (memory_limit.load() > 0) return true;
  const char* text = std::getenv("HESSNET_MEMORY_LIMIT");
  if (text == nullptr || *text == '\0') return false;
  try {
    memory_limit = parse_memory_size(text);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string("HESSNET_MEMORY_LIMIT: ") + e.what());
  }
  return memory_limit.load() > 0;
}

std::size_t parse_memory_size(const std::string& text) {
  std::size_t end = 0;
  double value = -1;
  try {
    value = std::stod(text, &end);
  } catch (...) {
  }
  std::string unit = text.substr(std::min(end, text.size()));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.ends_with("ib")) unit.erase(unit.size() - 2);
  if (unit.ends_with("b")) unit.erase(unit.size() - 1);
  const std::string units = "kmgt";
  const std::size_t power = unit.empty() ? 0 : units.find(unit) + 1;
  if (!(value > 0) || unit.size() > 1 || (!unit.empty() && power == 0))
    throw InvalidArgument("memory size '" + text + "': give bytes or a number with KiB, MiB, GiB or TiB");
  return static_cast<std::size_t>(value * static_cast<double>(std::size_t{1} << (10 * power)));
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

std::size_t peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
}

}  // namespace hessnet
