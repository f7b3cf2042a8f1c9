// SPDX-License-Identifier: MIT
#include "hessnet/dist/thread_placement.hpp"

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>

#include "hessnet/core/blas.hpp"
#include "hessnet/core/busy_cores.hpp"
#include "hessnet/core/parallel.hpp"
#include "hessnet/dist/mpi_call.hpp"

namespace hessnet {

std::string ThreadPlacement::describe() const {
  return fmt::format(
      "threads: {} BLAS thread(s) per rank ({}; {} CPU(s) in this rank's affinity, {} rank(s) on the node)", threads,
      from_environment ? "from the environment" : "chosen", cpus, ranks_on_node);
}

ThreadPlacement place_blas_threads(const Communicator& comm) {
  ThreadPlacement placement;
  MPI_Comm node;
  HESSNET_MPI_CALL(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  MPI_Comm_size(node, &placement.ranks_on_node);
  MPI_Comm_free(&node);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  placement.cpus = sched_getaffinity(0, sizeof(mask), &mask) == 0 ? CPU_COUNT(&mask) : 1;
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  const int node_cpus = online > 0 ? static_cast<int>(online) : 1;
  placement.from_environment = std::getenv("OPENBLAS_NUM_THREADS") || std::getenv("OMP_NUM_THREADS");
  if (placement.from_environment) {
    placement.threads = blas::threads();
  } else {
    placement.threads = std::max(1, std::min(placement.cpus, node_cpus / placement.ranks_on_node));
    blas::set_threads(placement.threads);
  }
  set_parallel_threads(placement.threads);  // the kernels' element loops, as many as BLAS
  set_share_threads(placement.threads);
  set_thread_budget({placement.threads, placement.ranks_on_node, node_cpus});
  fit_threads_to_node_load();
  return placement;
}

}  // namespace hessnet
