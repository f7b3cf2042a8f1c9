// SPDX-License-Identifier: MIT
#include "hessnet/dist/communicator.hpp"

#include <utility>

#include "hessnet/dist/mpi_call.hpp"

namespace hessnet {

namespace {

bool mpi_alive() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  return finalized == 0;
}

}  // namespace

Communicator::Communicator() : Communicator(MPI_COMM_WORLD) {}

Communicator::Communicator(MPI_Comm comm) : comm_(std::make_shared<MPI_Comm>(comm)) {
  HESSNET_MPI_CALL(MPI_Comm_rank(comm, &rank_));
  HESSNET_MPI_CALL(MPI_Comm_size(comm, &size_));
}

Communicator Communicator::adopt(MPI_Comm owned) {
  // Own the handle first, so it is freed even if a later call throws.
  std::shared_ptr<MPI_Comm> handle(new MPI_Comm(owned), [](MPI_Comm* c) {
    // Freeing after MPI_Finalize is an error; leaking then is harmless.
    if (mpi_alive() && *c != MPI_COMM_NULL) MPI_Comm_free(c);
    delete c;
  });
  HESSNET_MPI_CALL(MPI_Comm_set_errhandler(owned, MPI_ERRORS_RETURN));
  Communicator result(owned);
  result.comm_ = std::move(handle);
  return result;
}

Communicator Communicator::dup() const {
  MPI_Comm copy = MPI_COMM_NULL;
  HESSNET_MPI_CALL(MPI_Comm_dup(get(), &copy));
  return adopt(copy);
}

Communicator Communicator::split(int color, int key) const {
  MPI_Comm part = MPI_COMM_NULL;
  HESSNET_MPI_CALL(MPI_Comm_split(get(), color, key, &part));
  HESSNET_CHECK(part != MPI_COMM_NULL, "Communicator::split: MPI_UNDEFINED color is not supported");
  return adopt(part);
}

}  // namespace hessnet
