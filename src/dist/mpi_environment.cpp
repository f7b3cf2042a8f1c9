// SPDX-License-Identifier: MIT
#include "hessnet/dist/mpi_environment.hpp"

namespace hessnet {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) { init(&argc, &argv); }

MpiEnvironment::MpiEnvironment() { init(nullptr, nullptr); }

void MpiEnvironment::init(int* argc, char*** argv) {
  int initialized = 0;
  HESSNET_MPI_CALL(MPI_Initialized(&initialized));
  if (initialized != 0) {
    HESSNET_MPI_CALL(MPI_Query_thread(&thread_level_));
    return;
  }
  HESSNET_MPI_CALL(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &thread_level_));
  owns_ = true;
}

MpiEnvironment::~MpiEnvironment() {
  if (!owns_) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized == 0) MPI_Finalize();
}

}  // namespace hessnet
