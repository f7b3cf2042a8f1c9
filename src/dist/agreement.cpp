// SPDX-License-Identifier: MIT
#include "hessnet/dist/agreement.hpp"

#include <mpi.h>

#include <cstdint>
#include <string>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/mpi_call.hpp"

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

int first_rank_differing(const Communicator& comm, const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a: stable across hosts, unlike std::hash
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  std::uint64_t root_hash = hash;
  HESSNET_MPI_CALL(MPI_Bcast(&root_hash, 1, MPI_UINT64_T, 0, comm.get()));
  return allreduce_min(comm, hash == root_hash ? comm.size() : comm.rank());
}

void require_same_text(const Communicator& comm, const std::string& text, const std::string& what) {
  const int differing = first_rank_differing(comm, text);
  if (differing == comm.size()) return;
  throw CollectiveError("rank " + std::to_string(differing) + " was given a different " + what +
                        " from rank 0: every MPI rank must run the same hessnet command");
}

}  // namespace hessnet
