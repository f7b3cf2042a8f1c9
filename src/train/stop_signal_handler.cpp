// SPDX-License-Identifier: MIT
#include "hessnet/train/stop_signal_handler.hpp"

#include <signal.h>

#include <atomic>
#include <csignal>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/collectives.hpp"

namespace hessnet {
namespace {

// Lock-free, so safe in a signal handler, and atomic, so the handler may run on any thread
// (e.g. one of OpenBLAS's) and the training thread still sees the store.
std::atomic<std::sig_atomic_t> g_received{0};
static_assert(std::atomic<std::sig_atomic_t>::is_always_lock_free);
bool g_installed = false;
struct sigaction g_previous_usr1 {
}, g_previous_term{};

extern "C" void record_stop_signal(int signal) { g_received = signal; }

void install(int signal, struct sigaction* previous) {
  struct sigaction action {};
  action.sa_handler = record_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (sigaction(signal, &action, previous) != 0)
    throw InvalidArgument("cannot install a handler for " + StopSignalHandler::name(signal));
}

}  // namespace

StopSignalHandler::StopSignalHandler() {
  if (g_installed) throw InvalidArgument("StopSignalHandler: the handlers are installed already");
  g_received = 0;
  install(SIGUSR1, &g_previous_usr1);
  try {
    install(SIGTERM, &g_previous_term);
  } catch (...) {
    sigaction(SIGUSR1, &g_previous_usr1, nullptr);
    throw;
  }
  g_installed = true;
}

StopSignalHandler::~StopSignalHandler() {
  sigaction(SIGTERM, &g_previous_term, nullptr);
  sigaction(SIGUSR1, &g_previous_usr1, nullptr);
  g_installed = false;
}

int StopSignalHandler::received() { return static_cast<int>(g_received.load()); }

int StopSignalHandler::agreed(const Communicator& comm) { return allreduce_max(comm, received()); }

std::string StopSignalHandler::name(int signal) {
  if (signal == SIGUSR1) return "SIGUSR1";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

}  // namespace hessnet
