// SPDX-License-Identifier: MIT
// Times the damped Newton system's solver alone: pdposv (LAPACK dposv on one rank) on an
// SPD matrix of order N, for a grid shape, block size and triangle. Running it on 1 rank and
// on 2 ranks x 1 thread shows how far the solve itself scales, which bounds the epoch's.
// With --failing it times instead what a damping escalation spends on a failed attempt:
// DampedSystem::factor of a matrix that is indefinite only at its last leading minor (the
// latest, dearest failure), in float64 and in float32 (the mixed-precision solve).
// Usage: mpirun -np P bench_solve [--n 7510] [--block 128] [--grid PxQ] [--triangle L|U] [--failing]
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>
#include <vector>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/cholesky_solve.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/float_cholesky.hpp"
#include "hessnet/dist/mpi_environment.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/solver/damped_system.hpp"

namespace {

using namespace hessnet;

double seconds_since(const Communicator& comm, std::chrono::steady_clock::time_point t0) {
  return allreduce_max(comm, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

/// Diagonally dominant with smoothly decaying couplings, so positive definite; with
/// `failing`, the last diagonal entry is negative, so only the last leading minor is not.
void fill(DistMatrix& a, Index n, bool failing) {
  a.set_entries([n, failing](Index i, Index j) {
    const double diagonal = failing && i == n - 1 ? -static_cast<double>(n) : static_cast<double>(n);
    return (i == j ? diagonal : 0.0) + 1.0 / (1.0 + static_cast<double>(std::abs(i - j)));
  });
}

/// The local offset and value of every diagonal entry this rank owns.
std::vector<std::pair<std::size_t, double>> owned_diagonal(DistMatrix& a) {
  std::vector<std::pair<std::size_t, double>> diagonal;
  const double* base = a.local_data();
  a.for_each_local_diagonal(
      [&](Index, double& entry) { diagonal.emplace_back(static_cast<std::size_t>(&entry - base), entry); });
  return diagonal;
}

/// Times, on the failing matrix, the factorization alone (pdpotrf against the float32 copy
/// and pspotrf) and a whole failed attempt of DampedSystem::factor (which adds the shift
/// bound of the failed minor and 20 Lanczos products), in float64 and float32: the fastest
/// of three runs each, interleaved, with the float32 copy's pages touched before the first.
int time_failed_factorizations(const Communicator& comm, const BlacsGrid& grid, Index n, Index nb) {
  constexpr double k_unset = 1e300;
  double alone[2] = {k_unset, k_unset}, attempt[2] = {k_unset, k_unset};
  DistMatrix a(grid, n, n, nb);
  FloatCholesky single(a);
  for (int run = 0; run < 4; ++run) {
    for (const bool single_precision : {false, true}) {
      fill(a, n, true);
      auto t0 = std::chrono::steady_clock::now();
      const SolveResult raw = single_precision ? single.factor(a, Triangle::Lower, owned_diagonal(a), 0.0)
                                               : cholesky_factor(a, Triangle::Lower);
      const double alone_seconds = seconds_since(comm, t0);
      fill(a, n, true);
      DampedSystem system(a, DampingOptions{}, nb, single_precision ? &single : nullptr);
      system.reset();
      t0 = std::chrono::steady_clock::now();
      const Factorization f = system.factor(0.0);
      const double attempt_seconds = seconds_since(comm, t0);
      if (raw.status == SolveStatus::Ok || raw.info != n || f.positive_definite || f.minor != n) {
        if (comm.is_root())
          fmt::print(stderr, "bench_solve: expected failures at minor {}, got {} and {}\n", n, raw.info, f.minor);
        return 1;
      }
      if (run == 0) continue;  // warm-up: first touch of the copy's pages
      alone[single_precision] = std::min(alone[single_precision], alone_seconds);
      attempt[single_precision] = std::min(attempt[single_precision], attempt_seconds);
    }
  }
  if (comm.is_root())
    fmt::print(
        "failed factorization N={} nb={} ranks={}: alone float64 {:.3f} s, float32 {:.3f} s ({:.2f}x); "
        "whole attempt float64 {:.3f} s, float32 {:.3f} s ({:.2f}x)\n",
        n, nb, comm.size(), alone[0], alone[1], alone[1] / alone[0], attempt[0], attempt[1], attempt[1] / attempt[0]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MpiEnvironment mpi(argc, argv);
  const Communicator comm = Communicator::world();
  CLI::App app{"hessnet solver benchmark"};
  Index n = 7510, nb = 128;
  std::string grid_text, triangle = "L";
  app.add_option("--n", n, "Order of the matrix")->check(CLI::PositiveNumber);
  app.add_option("--block", nb, "Block size nb")->check(CLI::PositiveNumber);
  app.add_option("--grid", grid_text, "Process grid PxQ (default: as square as possible)");
  app.add_option("--triangle", triangle, "Triangle to factor")->check(CLI::IsMember({"L", "U"}));
  bool failing = false;
  app.add_flag("--failing", failing, "Time a factorization that fails at the last leading minor, float64 and float32");
  CLI11_PARSE(app, argc, argv);

  const ThreadPlacement threads = place_blas_threads(comm);
  const GridShape shape = resolve_grid(grid_text, comm.size());
  const BlacsGrid grid(comm, shape);
  if (failing) return time_failed_factorizations(comm, grid, n, nb);
  DistMatrix a(grid, n, n, nb);
  fill(a, n, false);
  DistMatrix b(grid, n, 1, nb);
  b.set_entries([](Index i, Index) { return std::cos(0.1 * static_cast<double>(i)); });
  const auto t0 = std::chrono::steady_clock::now();
  const SolveResult result = cholesky_solve(a, b, triangle == "L" ? Triangle::Lower : Triangle::Upper);
  const double seconds = seconds_since(comm, t0);
  if (comm.is_root())
    fmt::print("pdposv N={} nb={} grid={}x{} triangle={} ranks={} threads={}: {:.3f} s ({:.1f} GF/s){}\n", n, nb,
               shape.nprow, shape.npcol, triangle, comm.size(), threads.threads, seconds,
               static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n) / 3 / seconds / 1e9,
               result.status == SolveStatus::Ok ? "" : " NOT POSITIVE DEFINITE");
  return result.status == SolveStatus::Ok ? 0 : 1;
}
