// SPDX-License-Identifier: MIT
#include "hessnet/dist/sharded_dataset.hpp"

#include <mpi.h>

#include <fmt/core.h>

#include <algorithm>
#include <climits>
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

/// First global row of every rank, and the total at the end.
std::vector<Index> rank_starts(Index total, int ranks) {
  std::vector<Index> starts(static_cast<std::size_t>(ranks) + 1);
  for (int r = 0; r < ranks; ++r) starts[static_cast<std::size_t>(r)] = shard_rows(total, r, ranks).first;
  starts.back() = total;
  return starts;
}

/// Rank that holds global row `row`.
int owner(const std::vector<Index>& starts, Index row) {
  const auto it = std::upper_bound(starts.begin(), starts.end() - 1, row);
  return static_cast<int>(it - starts.begin()) - 1;
}

int as_count(Index n) {
  HESSNET_CHECK(n <= INT_MAX, "permute_samples: more than INT_MAX values to send to one rank");
  return static_cast<int>(n);
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
  HESSNET_MPI_CALL(MPI_Scatterv(comm.is_root() ? whole.data() : nullptr, counts.data(), displs.data(), MPI_DOUBLE,
                                local.data(), static_cast<int>(local.size()), MPI_DOUBLE, 0, comm.get()));
  return local;
}

/// One table read by rank 0 and scattered (a CSV, or a .npy holding inputs and targets).
Shard scatter_table(const Communicator& comm, const std::string& path, CsvHeader header, Index n_in, Index n_out) {
  Dataset whole;
  run_agreed(comm, [&] {
    if (comm.is_root()) {
      whole = load_dataset(path, n_in, n_out, header);
      check_sample_count(whole.size(), comm.size(), path);
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
    const Index rows = npy_data_rows(read_npy_header(source.inputs), source.inputs);
    const Index y_rows = npy_data_rows(read_npy_header(source.targets), source.targets);
    if (y_rows != rows)
      throw DimensionMismatch(source.inputs + " has " + std::to_string(rows) + " rows but " + source.targets + " has " +
                              std::to_string(y_rows));
    check_sample_count(rows, comm.size(), source.inputs);
    const auto [begin, end] = shard_rows(rows, comm.rank(), comm.size());
    const RowMatrix inputs = load_npy_rows(source.inputs, begin, end);
    const RowMatrix targets = load_npy_rows(source.targets, begin, end);
    check_finite_data(inputs, source.inputs, begin);
    check_finite_data(targets, source.targets, begin);
    if (inputs.cols() != n_in)
      throw DimensionMismatch(source.inputs + " has " + std::to_string(inputs.cols()) + " columns, the network takes " +
                              std::to_string(n_in) + " inputs");
    RowMatrix table(inputs.rows(), inputs.cols() + targets.cols());
    table << inputs, targets;
    shard.local = split_columns(table, n_in, n_out, source.targets, begin);
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
  if (!has_npy_extension(source.table)) return scatter_table(comm, source.table, source.csv_header, n_in, n_out);
  // A single .npy table: read by rows too.
  Shard shard;
  run_agreed(comm, [&] {
    const Index rows = npy_data_rows(read_npy_header(source.table), source.table);
    check_sample_count(rows, comm.size(), source.table);
    const auto [begin, end] = shard_rows(rows, comm.rank(), comm.size());
    const RowMatrix table = load_npy_rows(source.table, begin, end);
    check_finite_data(table, source.table, begin);
    shard.local = split_columns(table, n_in, n_out, source.table, begin);
    shard.first = begin;
    shard.total = rows;
  });
  return shard;
}

void check_sample_count(Index total, int ranks, const std::string& what) {
  if (total <= 0) throw InvalidArgument(what + " has no samples");
  if (total < ranks)
    throw InvalidArgument(
        fmt::format("{} has {} samples, fewer than the {} MPI ranks: use fewer ranks", what, total, ranks));
}

Shard shard_of(const Communicator& comm, ConstRowMatrixRef x, ConstRowMatrixRef y) {
  if (x.rows() != y.rows())
    throw DimensionMismatch(fmt::format("the inputs have {} rows but the targets {}", x.rows(), y.rows()));
  const auto [begin, end] = shard_rows(x.rows(), comm.rank(), comm.size());
  Shard shard;
  shard.first = begin;
  shard.total = x.rows();
  shard.local.inputs = x.middleRows(begin, end - begin);  // copies: the result is contiguous
  shard.local.targets = y.middleRows(begin, end - begin);
  return shard;
}

void check_shard(const Communicator& comm, const Shard& shard, Index n_in, Index n_out, const std::string& what) {
  const Index total =
      allreduce_max(comm, static_cast<double>(shard.total)) == static_cast<double>(shard.total) ? shard.total : -1;
  run_agreed(comm, [&] {
    if (total < 0) throw InvalidArgument(what + ": the ranks disagree on the sample count");
    check_sample_count(shard.total, comm.size(), what);
    const auto [begin, end] = shard_rows(shard.total, comm.rank(), comm.size());
    if (shard.first != begin || shard.local.inputs.rows() != end - begin || shard.local.targets.rows() != end - begin)
      throw InvalidArgument(fmt::format("{}: rank {} holds rows [{}, {}), expected the shard_rows block [{}, {})", what,
                                        comm.rank(), shard.first, shard.first + shard.local.inputs.rows(), begin, end));
    if (shard.local.inputs.cols() != n_in)
      throw DimensionMismatch(
          fmt::format("{} has {} input columns, the network takes {} inputs", what, shard.local.inputs.cols(), n_in));
    if (shard.local.targets.cols() != n_out)
      throw DimensionMismatch(
          fmt::format("{} has {} target columns, the network has {} outputs", what, shard.local.targets.cols(), n_out));
  });
}

void permute_samples(const Communicator& comm, Shard& shard, const std::vector<Index>& perm) {
  const Index total = shard.total, n_in = shard.local.inputs.cols(), n_out = shard.local.targets.cols();
  const Index width = n_in + n_out;
  HESSNET_CHECK(static_cast<Index>(perm.size()) == total, "permute_samples: permutation of the wrong length");
  const auto starts = rank_starts(total, comm.size());
  std::vector<Index> destination(perm.size());  // new position of the sample now at position q
  for (Index k = 0; k < total; ++k) destination[static_cast<std::size_t>(perm[static_cast<std::size_t>(k)])] = k;

  // Outgoing rows in order of their new position, which groups them by destination rank.
  const Index local = shard.local.inputs.rows();
  std::vector<std::pair<Index, Index>> outgoing;  // (new position, local row)
  outgoing.reserve(static_cast<std::size_t>(local));
  for (Index r = 0; r < local; ++r) outgoing.emplace_back(destination[static_cast<std::size_t>(shard.first + r)], r);
  std::sort(outgoing.begin(), outgoing.end());
  const auto ranks = static_cast<std::size_t>(comm.size());
  std::vector<int> send_counts(ranks, 0), send_displs(ranks, 0), recv_counts(ranks, 0), recv_displs(ranks, 0);
  std::vector<double> send(static_cast<std::size_t>(local * width));
  for (std::size_t i = 0; i < outgoing.size(); ++i) {
    const auto [position, row] = outgoing[i];
    send_counts[static_cast<std::size_t>(owner(starts, position))] += as_count(width);
    double* out = send.data() + static_cast<Index>(i) * width;
    std::copy_n(shard.local.inputs.row(row).data(), n_in, out);
    std::copy_n(shard.local.targets.row(row).data(), n_out, out + n_in);
  }
  // Incoming: my new positions p, each from the rank that holds old position perm[p].
  const Index begin = starts[static_cast<std::size_t>(comm.rank())];
  const Index end = starts[static_cast<std::size_t>(comm.rank()) + 1];
  run_agreed(comm, [&] {  // MPI counts and displacements are int
    as_count(local * width);
    as_count((end - begin) * width);
  });
  std::vector<int> source(static_cast<std::size_t>(end - begin));
  for (Index p = begin; p < end; ++p) {
    source[static_cast<std::size_t>(p - begin)] = owner(starts, perm[static_cast<std::size_t>(p)]);
    recv_counts[static_cast<std::size_t>(source[static_cast<std::size_t>(p - begin)])] += as_count(width);
  }
  for (std::size_t r = 1; r < ranks; ++r) {
    send_displs[r] = send_displs[r - 1] + send_counts[r - 1];
    recv_displs[r] = recv_displs[r - 1] + recv_counts[r - 1];
  }
  std::vector<double> received(static_cast<std::size_t>((end - begin) * width));
  alltoallv(comm, send, send_counts, send_displs, received, recv_counts, recv_displs);
  // Each source sent its rows in increasing new position: take them in that order.
  std::vector<int> cursor = recv_displs;
  for (Index p = begin; p < end; ++p) {
    const auto src = static_cast<std::size_t>(source[static_cast<std::size_t>(p - begin)]);
    const double* row = received.data() + cursor[src];
    cursor[src] += static_cast<int>(width);
    std::copy_n(row, n_in, shard.local.inputs.row(p - begin).data());
    std::copy_n(row + n_in, n_out, shard.local.targets.row(p - begin).data());
  }
}

Shard take_rows(const Communicator& comm, const Shard& shard, Index begin, Index end) {
  HESSNET_CHECK(0 <= begin && begin <= end && end <= shard.total, "take_rows: rows out of range");
  const Index n_in = shard.local.inputs.cols(), n_out = shard.local.targets.cols(), width = n_in + n_out;
  const Index total = end - begin;
  const auto ranks = static_cast<std::size_t>(comm.size());
  const Index mine = shard.local.inputs.rows();
  const auto [new_begin, new_end] = shard_rows(total, comm.rank(), comm.size());
  std::vector<int> send_counts(ranks, 0), send_displs(ranks, 0), recv_counts(ranks, 0), recv_displs(ranks, 0);
  std::vector<double> send;
  for (int r = 0; r < comm.size(); ++r) {  // my rows that rank r holds afterwards
    const auto [b, e] = shard_rows(total, r, comm.size());
    const Index lo = std::max(shard.first, begin + b), hi = std::min(shard.first + mine, begin + e);
    send_displs[static_cast<std::size_t>(r)] = static_cast<int>(send.size());
    for (Index row = lo; row < hi; ++row) {
      const Index local = row - shard.first;
      send.insert(send.end(), shard.local.inputs.row(local).data(), shard.local.inputs.row(local).data() + n_in);
      send.insert(send.end(), shard.local.targets.row(local).data(), shard.local.targets.row(local).data() + n_out);
    }
    send_counts[static_cast<std::size_t>(r)] = as_count(std::max<Index>(hi - lo, 0) * width);
  }
  int offset = 0;
  for (int q = 0; q < comm.size(); ++q) {  // rank q's rows that I hold afterwards, in order
    const auto [b, e] = shard_rows(shard.total, q, comm.size());
    const Index lo = std::max(b, begin + new_begin), hi = std::min(e, begin + new_end);
    recv_displs[static_cast<std::size_t>(q)] = offset;
    recv_counts[static_cast<std::size_t>(q)] = as_count(std::max<Index>(hi - lo, 0) * width);
    offset += recv_counts[static_cast<std::size_t>(q)];
  }
  std::vector<double> received(static_cast<std::size_t>(offset));
  alltoallv(comm, send, send_counts, send_displs, received, recv_counts, recv_displs);
  Shard out;
  out.first = new_begin;
  out.total = total;
  out.local.inputs.resize(new_end - new_begin, n_in);
  out.local.targets.resize(new_end - new_begin, n_out);
  for (Index row = 0; row < new_end - new_begin; ++row) {  // sources are in rank order, so rows are too
    const double* from = received.data() + row * width;
    std::copy_n(from, n_in, out.local.inputs.row(row).data());
    std::copy_n(from + n_in, n_out, out.local.targets.row(row).data());
  }
  return out;
}

}  // namespace hessnet
