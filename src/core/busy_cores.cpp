// SPDX-License-Identifier: MIT
#include "hessnet/core/busy_cores.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hessnet/core/blas.hpp"
#include "hessnet/core/parallel.hpp"

namespace hessnet {
namespace {

std::optional<int> procs_running() {
  std::ifstream in("/proc/stat");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "procs_running" && in >> value) return static_cast<int>(value);
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

/// This process's threads in state R (running or runnable).
int own_running_threads() {
  int running = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream in(task.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'R') ++running;
  }
  return std::max(running, 1);  // the reading thread itself
}

struct State {
  ThreadBudget budget;
  int current = 1;
  std::chrono::steady_clock::time_point checked{};
};
State state;

bool adaptation_enabled() {
  const char* value = std::getenv("HESSNET_ADAPT_THREADS");
  return value == nullptr || std::strcmp(value, "0") != 0;
}

}  // namespace

int threads_for_busy_node(const ThreadBudget& budget, int others) {
  const int ours = std::max(1, budget.ranks_on_node) * budget.threads;
  // The job's other ranks run their threads too, and are counted in `others` when they do.
  const int outside = std::max(0, others - (std::max(1, budget.ranks_on_node) - 1) * budget.threads);
  const int spare = std::max(0, budget.node_cpus - ours);
  if (outside <= spare) return budget.threads;
  return std::clamp(budget.threads - (outside - spare), 1, budget.threads);
}

std::optional<int> runnable_elsewhere() {
  std::optional<int> least;
  for (int reading = 0; reading < 3; ++reading) {
    const std::optional<int> all = procs_running();
    if (!all) return std::nullopt;
    const int others = std::max(0, *all - own_running_threads());
    least = least ? std::min(*least, others) : others;
  }
  return least;
}

void set_thread_budget(const ThreadBudget& budget) { state = State{budget, budget.threads, {}}; }

int fit_threads_to_node_load() {
  if (state.budget.threads <= 1 || !adaptation_enabled()) return state.current;
  const auto now = std::chrono::steady_clock::now();
  if (now - state.checked < std::chrono::milliseconds(20)) return state.current;
  state.checked = now;
  const std::optional<int> others = runnable_elsewhere();
  const int threads = others ? threads_for_busy_node(state.budget, *others) : state.budget.threads;
  if (threads != state.current) {
    blas::set_threads(threads);
    set_parallel_threads(threads);
    state.current = threads;
  }
  return state.current;
}

}  // namespace hessnet
