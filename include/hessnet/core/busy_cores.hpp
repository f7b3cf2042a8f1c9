// SPDX-License-Identifier: MIT
#pragma once
/// @file Fewer BLAS threads while other processes keep the node's cores busy.
///
/// OpenBLAS's threads meet at many sync points inside one GEMM and wait for each other by
/// spinning; when another process holds a core, every sync point waits for the scheduler to
/// run the descheduled thread again. Measured on 2 cores with one busy loop per core: a
/// 2-thread epoch took 35x (B1) to 131x (S1) its idle time, one thread 1.5-1.9x. So before
/// each epoch a rank looks at how many tasks outside its job are runnable and, if they leave
/// fewer cores than it was given, runs fewer threads until they are gone.
#include <optional>

namespace hessnet {

/// What a rank was given, and what it found on the node.
struct ThreadBudget {
  int threads = 1;        ///< BLAS threads the rank was given (its configured count)
  int ranks_on_node = 1;  ///< this job's ranks on the node, each with `threads` threads
  int node_cpus = 1;      ///< online CPUs of the node
};

/// Threads to run with while `others` tasks outside this process are runnable on the node:
/// the budget's count while the other ranks' threads and `others` fit the cores left over,
/// otherwise fewer, down to 1.
int threads_for_busy_node(const ThreadBudget& budget, int others);

/// Runnable tasks on the node outside this process right now (/proc/stat's procs_running
/// minus this process's running threads; the least of a few readings), or nothing when
/// /proc cannot be read.
std::optional<int> runnable_elsewhere();

/// Records the budget place_blas_threads chose; with more than one thread, later calls of
/// fit_threads_to_node_load adjust BLAS and element-loop threads within it.
void set_thread_budget(const ThreadBudget& budget);

/// Sets this rank's BLAS and element-loop threads for the coming epoch from the node's load
/// (at most every 20 ms). Off with HESSNET_ADAPT_THREADS=0. Returns the threads in use.
int fit_threads_to_node_load();

}  // namespace hessnet
