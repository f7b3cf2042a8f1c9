// SPDX-License-Identifier: MIT
#pragma once
// The subcommands of the hessnet program. Each add_* registers its options on the app and
// a callback that runs it; the callbacks run on every MPI rank.
#include <CLI/CLI.hpp>

#include <optional>

#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/memory_plan.hpp"

namespace hessnet::cli {

/// What every subcommand may use.
struct Context {
  Communicator comm;
  bool verbose = false;
  /// The process exit status when the subcommand returns normally (e.g. 75 after a stop
  /// signal); the same on every rank.
  int exit_code = 0;
  /// The memory plan the subcommand ran under, for the peak-memory report of -v.
  std::optional<MemoryPlan> plan{};
};

void add_init_command(CLI::App& app, Context& context);
void add_hessian_command(CLI::App& app, Context& context);
void add_spectrum_command(CLI::App& app, Context& context);
void add_train_command(CLI::App& app, Context& context);
void add_predict_command(CLI::App& app, Context& context);

/// Prints on rank 0 only.
void say(const Context& context, const std::string& line);

/// Collective. Prints the largest peak resident memory of the ranks (getrusage) against the
/// memory plan the subcommand ran under, if any.
void report_peak_memory(const Context& context);

}  // namespace hessnet::cli
