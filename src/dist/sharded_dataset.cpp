// SPDX-License-Identifier: MIT
#include "hessnet/dist/sharded_dataset.hpp"

#include <mpi.h>

#include <vector>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/mpi_call.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/npy.hpp"
#include "hessnet/io/shard.hpp"

namespace hessnet {
namespace {

bool is_npy(const std::string& path) { return path.size() > 4 && path.substr(path.size() - 4) == ".npy"; }

void check_enough(Index total, int ranks, const std::string& what) {
  if (total < ranks)
    throw InvalidArgument(what + " has " + std::to_string(total) + " samples, fewer than the " +
                          std::to_string(ranks) + " MPI ranks: use fewer ranks");
}

/// Rank 0 holds all rows of `whole`; every rank receives its shard_rows part.
RowMatrix scatter_rows(const Communicator& comm, const RowMatrix& whole, Index rows, Index cols) {
  std::vector<int> counts(static_cast<std::size_t>(comm.size())), displs(counts.size());
  for (int r = 0; r < comm.size(); ++r) {
    const auto [begin, end] = shard_rows(rows, r, comm.size());
    counts[static_cast<std::size_t>(r)] = static_cast<int>((end - begin) * cols);
    displs[static_cast<std::size_t>(r)] = static_cast<int>(begin * cols);
  }
  const auto [begin, end] = shard_rows(rows, comm.rank(), comm.size());
  RowMatrix local(end - begin, cols);
  HESSNET_MPI_CALL(MPI_Scatterv(comm.is_root() ? whole.data() : nullptr, counts.data(), displs.data(),
                                MPI_DOUBLE, local.data(), static_cast<int>(local.size()), MPI_DOUBLE, 0,
                                comm.get()));
  return local;
}

/// One table read by rank 0 and scattered (a CSV, or a .npy holding inputs and targets).
Shard scatter_table(const Communicator& comm, const std::string& path, Index n_in, Index n_out) {
  Dataset whole;
  run_agreed(comm, [&] {
    if (comm.is_root()) {
      whole = load_dataset(path, n_in, n_out);
      check_enough(whole.size(), comm.size(), path);
    }
  });
  Index dims[2] = {whole.size(), whole.targets.cols()};
  HESSNET_MPI_CALL(MPI_Bcast(dims, 2, MPI_INT64_T, 0, comm.get()));
  Shard shard;
  shard.total = dims[0];
  shard.first = shard_rows(dims[0], comm.rank(), comm.size()).first;
  shard.local.inputs = scatter_rows(comm, whole.inputs, dims[0], n_in);
  shard.local.targets = scatter_rows(comm, whole.targets, dims[0], n_out);
  return shard;
}

/// Separate .npy inputs and targets: each rank reads only its own rows.
Shard read_npy_pair(const Communicator& comm, const DataSource& source, Index n_in, Index n_out) {
  Shard shard;
  run_agreed(comm, [&] {
    const auto x = read_npy_header(source.inputs), y = read_npy_header(source.targets);
    const Index rows = x.shape.empty() ? 0 : x.shape[0];
    const Index y_rows = y.shape.empty() ? 0 : y.shape[0];
    if (y_rows != rows)
      throw DimensionMismatch(source.inputs + " has " + std::to_string(rows) + " rows but " +
                              source.targets + " has " + std::to_string(y_rows));
    check_enough(rows, comm.size(), source.inputs);
    const auto [begin, end] = shard_rows(rows, comm.rank(), comm.size());
    const RowMatrix inputs = load_npy_rows(source.inputs, begin, end);
    const RowMatrix targets = load_npy_rows(source.targets, begin, end);
    if (inputs.cols() != n_in)
      throw DimensionMismatch(source.inputs + " has " + std::to_string(inputs.cols()) +
                              " columns, the network takes " + std::to_string(n_in) + " inputs");
    RowMatrix table(inputs.rows(), inputs.cols() + targets.cols());
    table << inputs, targets;
    shard.local = split_columns(table, n_in, n_out, source.targets);
    shard.first = begin;
    shard.total = rows;
  });
  return shard;
}

}  // namespace

Shard load_shard(const Communicator& comm, const DataSource& source, Index n_in, Index n_out) {
  if (source.table.empty()) {
    if (source.inputs.empty() || source.targets.empty())
      throw InvalidArgument("give the data as one table (--data) or as --inputs X.npy --targets Y.npy");
    return read_npy_pair(comm, source, n_in, n_out);
  }
  if (!is_npy(source.table)) return scatter_table(comm, source.table, n_in, n_out);
  // A single .npy table: read by rows too.
  Shard shard;
  run_agreed(comm, [&] {
    const auto header = read_npy_header(source.table);
    const Index rows = header.shape.empty() ? 0 : header.shape[0];
    check_enough(rows, comm.size(), source.table);
    const auto [begin, end] = shard_rows(rows, comm.rank(), comm.size());
    shard.local = split_columns(load_npy_rows(source.table, begin, end), n_in, n_out, source.table);
    shard.first = begin;
    shard.total = rows;
  });
  return shard;
}

}  // namespace hessnet
