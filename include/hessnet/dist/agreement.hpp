// SPDX-License-Identifier: MIT
#pragma once
/// @file Running a step that may fail on some ranks only, so that all ranks fail together.
#include <functional>
#include <string>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/communicator.hpp"

namespace hessnet {

/// An error raised on every rank with the same message: the program may report it once
/// and exit cleanly instead of aborting the whole MPI job.
class CollectiveError : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

/// Collective. Runs `step` on every rank; if it throws on any rank, every rank throws a
/// CollectiveError carrying the message of the lowest failing rank. A rank that fails alone
/// would otherwise leave the others waiting in the next collective forever.
void run_agreed(const Communicator& comm, const std::function<void()>& step);

/// Collective. The lowest rank whose `text` differs from rank 0's (compared by a 64-bit FNV-1a
/// hash), or comm.size() when every rank holds the same text.
int first_rank_differing(const Communicator& comm, const std::string& text);

/// Collective. Returns when every rank holds the same `text` (compared by a 64-bit FNV-1a
/// hash), else throws on every rank a CollectiveError naming the first rank that differs
/// from rank 0 and `what` the text is. Ranks that parsed different command lines would run
/// different collectives and wait for each other forever.
void require_same_text(const Communicator& comm, const std::string& text, const std::string& what);

}  // namespace hessnet
