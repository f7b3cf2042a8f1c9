// SPDX-License-Identifier: MIT
#include "hessnet/dist/matrix_export.hpp"

#include <mpi.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include <unistd.h>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/npy.hpp"
#include "hessnet/io/npy_header.hpp"

namespace hessnet {
namespace {

/// Calls f(row_begin, row_end, global_col) over process (prow, pcol)'s entries of the
/// block in runs of consecutive rows, in the order that process stores them (columns
/// outer, rows inner): each run is contiguous in its local array.
template <class F>
void for_owned_runs(const DistMatrix& a, int prow, int pcol, Index r0, Index r1, Index c0, Index c1, F&& f) {
  const Index nb = a.block_size();
  const int nprow = a.grid().nprow(), npcol = a.grid().npcol();
  for_each_block_run(c0, c1, nb, 0, npcol, [&](Index cb, Index ce, int col_owner) {
    if (col_owner != pcol) return;
    for (Index c = cb; c < ce; ++c)
      for_each_block_run(r0, r1, nb, 0, nprow, [&](Index rb, Index re, int row_owner) {
        if (row_owner == prow) f(rb, re, c);
      });
  });
}

}  // namespace

Matrix gather_block(const DistMatrix& a, Index r0, Index r1, Index c0, Index c1) {
  const auto& grid = a.grid();
  const Communicator& comm = grid.communicator();
  std::vector<double> mine;
  for_owned_runs(a, grid.myrow(), grid.mycol(), r0, r1, c0, c1, [&](Index rb, Index re, Index c) {
    const double* from = a.local_data() + a.local_row(rb) + a.local_col(c) * a.lld();
    mine.insert(mine.end(), from, from + (re - rb));
  });
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
      for_owned_runs(a, prow, pcol, r0, r1, c0, c1, [&](Index rb, Index re, Index c) {
        std::copy_n(next, re - rb, &block(rb - r0, c - c0));
        next += re - rb;
      });
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
    std::error_code missing;
    if (!std::filesystem::is_directory(dir, missing))
      throw InvalidArgument("cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
    if (!std::ofstream(probe)) throw InvalidArgument("cannot write '" + path + "': directory not writable");
    std::filesystem::remove(probe);
  });
  std::string error;
  // One rank holds all of H: rows are built from its lower triangle in place, a block of
  // rows at a time (a blocked transpose), and written with one call per block.
  const auto stream_local = [&](std::ostream& out) {
    const Index rows = std::max<Index>(1, std::min<Index>(panel_rows, 64));
    std::vector<double> block(static_cast<std::size_t>(rows * n));
    for (Index r0 = 0; r0 < n; r0 += rows) {
      const Index r1 = std::min(n, r0 + rows);
      for (Index c = 0; c < r1; ++c) {  // left of the diagonal: H(r, c), c <= r
        const double* column = a.local_data() + c * a.lld();
        for (Index r = std::max(r0, c); r < r1; ++r) block[static_cast<std::size_t>((r - r0) * n + c)] = column[r];
      }
      for (Index r = r0; r < r1; ++r) {  // right of it: H(r, c) = H(c, r), contiguous in column r
        const double* column = a.local_data() + r * a.lld();
        std::copy(column + r + 1, column + n, block.begin() + (r - r0) * n + r + 1);
      }
      out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>((r1 - r0) * n * 8));
    }
  };
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
        if (comm.size() == 1)
          stream_local(out);
        else
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

namespace {

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  return fs::weakly_canonical(file_behind(a)) == fs::weakly_canonical(file_behind(b));
}

}  // namespace

void save_gradient_and_hessian(const Vector& gradient, const DistMatrix& h, const std::string& gradient_path,
                               const std::string& hessian_path) {
  const Communicator& comm = h.grid().communicator();
  std::optional<StagedFile> staged;
  run_agreed(comm, [&] {
    if (!gradient_path.empty() && !hessian_path.empty() && same_file(gradient_path, hessian_path))
      throw InvalidArgument("the gradient and the Hessian would both be written to '" + hessian_path + "'");
    if (comm.is_root() && !gradient_path.empty()) staged.emplace(stage_npy(gradient_path, gradient));
  });
  if (!hessian_path.empty()) save_symmetric_npy(h, hessian_path);
  run_agreed(comm, [&] {
    if (staged) staged->commit();
  });
}

}  // namespace hessnet
