// SPDX-License-Identifier: MIT
#pragma once
/// @file RAII ownership of the MPI library's lifetime. Also pulls in Communicator and the
/// small collectives, so `#include "hessnet/dist/mpi_environment.hpp"` is enough for a main().
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/mpi_call.hpp"

namespace hessnet {

/// Initialises MPI with MPI_THREAD_FUNNELED (only the main thread calls MPI; OpenBLAS
/// threads never do) and finalises it on destruction. If MPI is already initialised
/// (a host program, or a test harness), it neither initialises nor finalises.
/// Create exactly one, first thing in main(), and let every Communicator, BlacsGrid and
/// DistMatrix die before it.
class MpiEnvironment {
 public:
  /// Initialises MPI from the program's arguments (MPI may consume some).
  MpiEnvironment(int& argc, char**& argv);
  /// Initialises MPI without arguments.
  MpiEnvironment();
  ~MpiEnvironment();

  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;
  MpiEnvironment(MpiEnvironment&&) = delete;
  MpiEnvironment& operator=(MpiEnvironment&&) = delete;

  /// Thread support level MPI granted (MPI_THREAD_SINGLE ... MPI_THREAD_MULTIPLE).
  int thread_level() const { return thread_level_; }
  /// True when this object called MPI_Init_thread and will call MPI_Finalize.
  bool owns_mpi() const { return owns_; }
  /// Non-owning MPI_COMM_WORLD.
  Communicator world() const { return Communicator::world(); }

 private:
  void init(int* argc, char*** argv);

  int thread_level_ = 0;
  bool owns_ = false;
};

}  // namespace hessnet
