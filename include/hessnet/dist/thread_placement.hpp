// SPDX-License-Identifier: MIT
#pragma once
/// @file How many BLAS threads each rank runs, so that ranks x threads fits the cores.
#include <string>

#include "hessnet/dist/communicator.hpp"

namespace hessnet {

struct ThreadPlacement {
  int threads = 1;  ///< BLAS threads per rank
  int cpus = 1;     ///< CPUs this rank may run on (its affinity mask)
  int ranks_on_node = 1;
  bool from_environment = false;  ///< OPENBLAS_NUM_THREADS / OMP_NUM_THREADS was set
  std::string describe() const;
};

/// Collective. Unless the user set OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS), gives each
/// rank min(its affinity CPUs, node CPUs / ranks on the node) BLAS threads: mpirun binds
/// few ranks to one core each, and oversubscribed threads make the factorization erratic.
ThreadPlacement place_blas_threads(const Communicator& comm);

}  // namespace hessnet
