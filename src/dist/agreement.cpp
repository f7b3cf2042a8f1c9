// SPDX-License-Identifier: MIT
#include "hessnet/dist/agreement.hpp"

#include <mpi.h>

#include <string>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/collectives.hpp"

namespace hessnet {

void run_agreed(const Communicator& comm, const std::function<void()>& step) {
  std::string message;
  try {
    step();
  } catch (const std::exception& e) {
    message = e.what();
    if (message.empty()) message = "unknown error";
  }
  const int failing = allreduce_min(comm, message.empty() ? comm.size() : comm.rank());
  if (failing == comm.size()) return;
  throw CollectiveError(broadcast(comm, message, failing));
}

}  // namespace hessnet
