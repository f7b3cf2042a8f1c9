// SPDX-License-Identifier: MIT
// Times the damped Newton system's solver alone: pdposv (LAPACK dposv on one rank) on an
// SPD matrix of order N, for a grid shape, block size and triangle. Running it on 1 rank and
// on 2 ranks x 1 thread shows how far the solve itself scales, which bounds the epoch's.
// Usage: mpirun -np P bench_solve [--n 7510] [--block 128] [--grid PxQ] [--triangle L|U]
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>

#include "hessnet/dist/blacs_grid.hpp"
#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/cholesky_solve.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/dist_matrix.hpp"
#include "hessnet/dist/mpi_environment.hpp"
#include "hessnet/dist/thread_placement.hpp"

int main(int argc, char** argv) {
  using namespace hessnet;
  MpiEnvironment mpi(argc, argv);
  const Communicator comm = Communicator::world();
  CLI::App app{"hessnet solver benchmark"};
  Index n = 7510, nb = 128;
  std::string grid_text, triangle = "L";
  app.add_option("--n", n, "Order of the matrix")->check(CLI::PositiveNumber);
  app.add_option("--block", nb, "Block size nb")->check(CLI::PositiveNumber);
  app.add_option("--grid", grid_text, "Process grid PxQ (default: as square as possible)");
  app.add_option("--triangle", triangle, "Triangle to factor")->check(CLI::IsMember({"L", "U"}));
  CLI11_PARSE(app, argc, argv);

  const ThreadPlacement threads = place_blas_threads(comm);
  const GridShape shape = resolve_grid(grid_text, comm.size());
  const BlacsGrid grid(comm, shape);
  // Diagonally dominant, so positive definite, with smoothly decaying couplings.
  DistMatrix a(grid, n, n, nb);
  a.set_entries([n](Index i, Index j) {
    return (i == j ? static_cast<double>(n) : 0.0) + 1.0 / (1.0 + static_cast<double>(std::abs(i - j)));
  });
  DistMatrix b(grid, n, 1, nb);
  b.set_entries([](Index i, Index) { return std::cos(0.1 * static_cast<double>(i)); });
  const auto t0 = std::chrono::steady_clock::now();
  const SolveResult result = cholesky_solve(a, b, triangle == "L" ? Triangle::Lower : Triangle::Upper);
  const double seconds =
      allreduce_max(comm, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (comm.is_root())
    fmt::print("pdposv N={} nb={} grid={}x{} triangle={} ranks={} threads={}: {:.3f} s ({:.1f} GF/s){}\n", n, nb,
               shape.nprow, shape.npcol, triangle, comm.size(), threads.threads, seconds,
               static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n) / 3 / seconds / 1e9,
               result.status == SolveStatus::Ok ? "" : " NOT POSITIVE DEFINITE");
  return result.status == SolveStatus::Ok ? 0 : 1;
}
