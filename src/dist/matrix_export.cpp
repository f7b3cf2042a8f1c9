// SPDX-License-Identifier: MIT
#include "hessnet/dist/matrix_export.hpp"

#include <mpi.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/npy_header.hpp"

namespace hessnet {
namespace {

/// Calls f(global_row, global_col) over process (prow, pcol)'s entries of the block, in the
/// order that process stores them (columns outer, rows inner).
template <class F>
void for_owned(const DistMatrix& a, int prow, int pcol, Index r0, Index r1, Index c0, Index c1, F&& f) {
  const Index nb = a.block_size();
  const int nprow = a.grid().nprow(), npcol = a.grid().npcol();
  for (Index c = c0; c < c1; ++c) {
    if (owner_of(c, nb, 0, npcol) != pcol) {
      c = std::min(c1, (c / nb + 1) * nb) - 1;  // skip to the end of this column block
      continue;
    }
    for (Index r = r0; r < r1; ++r) {
      if (owner_of(r, nb, 0, nprow) != prow) {
        r = std::min(r1, (r / nb + 1) * nb) - 1;
        continue;
      }
      f(r, c);
    }
  }
}

}  // namespace

Matrix gather_block(const DistMatrix& a, Index r0, Index r1, Index c0, Index c1) {
  const auto& grid = a.grid();
  const Communicator& comm = grid.communicator();
  std::vector<double> mine;
  for_owned(a, grid.myrow(), grid.mycol(), r0, r1, c0, c1,
            [&](Index r, Index c) { mine.push_back(a.local(a.local_row(r), a.local_col(c))); });
  std::vector<int> counts(static_cast<std::size_t>(comm.size())), displs(counts.size());
  const int count = static_cast<int>(mine.size());
  HESSNET_MPI_CALL(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm.get()));
  for (std::size_t k = 1; k < counts.size(); ++k) displs[k] = displs[k - 1] + counts[k - 1];
  std::vector<double> all(comm.is_root() ? static_cast<std::size_t>(displs.back() + counts.back()) : 0);
  HESSNET_MPI_CALL(
      MPI_Gatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, comm.get()));
  if (!comm.is_root()) return {};
  Matrix block(r1 - r0, c1 - c0);
  for (int prow = 0; prow < grid.nprow(); ++prow) {
    for (int pcol = 0; pcol < grid.npcol(); ++pcol) {
      const double* next = all.data() + displs[static_cast<std::size_t>(grid.rank_of(prow, pcol))];
      for_owned(a, prow, pcol, r0, r1, c0, c1, [&](Index r, Index c) { block(r - r0, c - c0) = *next++; });
    }
  }
  return block;
}

void save_symmetric_npy(const DistMatrix& a, const std::string& path, Index panel_rows) {
  const Communicator& comm = a.grid().communicator();
  const Index n = a.rows();
  // Fail together before the streaming collectives start if the file cannot be made.
  run_agreed(comm, [&] {
    if (!comm.is_root()) return;
    const auto dir = std::filesystem::absolute(path).parent_path();
    const auto probe = dir / (".hessnet-probe-" + std::to_string(::getpid()));
    if (!std::ofstream(probe)) throw InvalidArgument("cannot write '" + path + "': directory not writable");
    std::filesystem::remove(probe);
  });
  std::string error;
  const auto stream_panels = [&](std::ostream* out) {
    for (Index r0 = 0; r0 < n; r0 += panel_rows) {
      const Index r1 = std::min(n, r0 + panel_rows);
      // Rows [r0, r1): left of the diagonal from the row block, right of it (by symmetry)
      // from the column block below.
      const Matrix left = gather_block(a, r0, r1, 0, r1);
      const Matrix below = gather_block(a, r0, n, r0, r1);
      if (!out) continue;
      std::vector<double> row(static_cast<std::size_t>(n));
      for (Index r = r0; r < r1; ++r) {
        for (Index c = 0; c <= r; ++c) row[static_cast<std::size_t>(c)] = left(r - r0, c);
        for (Index c = r + 1; c < n; ++c) row[static_cast<std::size_t>(c)] = below(c - r0, r - r0);
        out->write(reinterpret_cast<const char*>(row.data()), static_cast<std::streamsize>(n * sizeof(double)));
      }
    }
  };
  if (comm.is_root()) {
    try {
      write_file_atomically(path, [&](std::ostream& out) {
        out << format_npy_header({n, n});
        stream_panels(&out);
      });
    } catch (const std::exception& e) {
      error = e.what();
    }
  } else {
    stream_panels(nullptr);
  }
  run_agreed(comm, [&] {
    if (!error.empty()) throw InvalidArgument(error);
  });
}

}  // namespace hessnet
