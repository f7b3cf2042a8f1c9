// SPDX-License-Identifier: MIT
#pragma once
/// @file Stopping training cleanly on SIGUSR1 or SIGTERM (a batch system's "time is up").
#include <string>

#include "hessnet/dist/communicator.hpp"

namespace hessnet {

/// Exit status of `hessnet train` after a stop signal: EX_TEMPFAIL from <sysexits.h>,
/// "temporary failure, try again": the run was interrupted and, with --checkpoint, can be
/// resumed with --resume.
inline constexpr int k_exit_interrupted = 75;

/// Handlers for SIGUSR1 and SIGTERM that only record which signal arrived (one lock-free
/// `std::atomic<std::sig_atomic_t>`: async-signal-safe, nothing else happens in the handler).
/// The training loop asks at a safe point, e.g. the end of an epoch, with agreed(): one
/// allreduce ORs the flags of all ranks, so a signal that reached one rank stops them all at
/// the same epoch.
///
/// RAII: the constructor installs the handlers (with SA_RESTART, so that system calls in
/// progress are resumed), the destructor restores the previous ones. At most one instance
/// at a time per process (InvalidArgument otherwise).
class StopSignalHandler {
 public:
  StopSignalHandler();
  ~StopSignalHandler();
  StopSignalHandler(const StopSignalHandler&) = delete;
  StopSignalHandler& operator=(const StopSignalHandler&) = delete;

  /// Local: the signal this process received since the handlers were installed, 0 if none.
  static int received();
  /// Collective over `comm` (one allreduce): the signal received on any rank (the largest
  /// signal number when they differ), 0 when none did; the same on every rank.
  static int agreed(const Communicator& comm);
  /// "SIGUSR1", "SIGTERM", or "signal N".
  static std::string name(int signal);
};

}  // namespace hessnet
