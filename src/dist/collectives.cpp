// SPDX-License-Identifier: MIT
#include "hessnet/dist/collectives.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

#include "hessnet/dist/mpi_call.hpp"

namespace hessnet {

namespace {

template <class T>
T reduce_one(const Communicator& comm, T value, MPI_Datatype type, MPI_Op op) {
  T result{};
  HESSNET_MPI_CALL(MPI_Allreduce(&value, &result, 1, type, op, comm.get()));
  return result;
}

}  // namespace

void allreduce_sum(const Communicator& comm, std::span<double> values) {
  // MPI counts are int: reduce in chunks so a very long vector still works.
  constexpr std::size_t k_chunk = std::size_t{1} << 30;
  for (std::size_t start = 0; start < values.size(); start += k_chunk) {
    const std::size_t count = std::min(k_chunk, values.size() - start);
    HESSNET_MPI_CALL(
        MPI_Allreduce(MPI_IN_PLACE, values.data() + start, static_cast<int>(count), MPI_DOUBLE, MPI_SUM, comm.get()));
  }
}

void allreduce_sum(const Communicator& comm, Vector& v) {
  allreduce_sum(comm, std::span<double>(v.data(), static_cast<std::size_t>(v.size())));
}

double allreduce_sum(const Communicator& comm, double value) { return reduce_one(comm, value, MPI_DOUBLE, MPI_SUM); }
Index allreduce_sum(const Communicator& comm, Index value) {
  static_assert(sizeof(Index) == sizeof(std::int64_t));
  return static_cast<Index>(reduce_one(comm, static_cast<std::int64_t>(value), MPI_INT64_T, MPI_SUM));
}
int allreduce_sum(const Communicator& comm, int value) { return reduce_one(comm, value, MPI_INT, MPI_SUM); }
double allreduce_max(const Communicator& comm, double value) { return reduce_one(comm, value, MPI_DOUBLE, MPI_MAX); }
int allreduce_max(const Communicator& comm, int value) { return reduce_one(comm, value, MPI_INT, MPI_MAX); }
double allreduce_min(const Communicator& comm, double value) { return reduce_one(comm, value, MPI_DOUBLE, MPI_MIN); }
int allreduce_min(const Communicator& comm, int value) { return reduce_one(comm, value, MPI_INT, MPI_MIN); }
bool allreduce_and(const Communicator& comm, bool value) {
  return reduce_one(comm, value ? 1 : 0, MPI_INT, MPI_LAND) != 0;
}
bool allreduce_or(const Communicator& comm, bool value) {
  return reduce_one(comm, value ? 1 : 0, MPI_INT, MPI_LOR) != 0;
}

std::string broadcast(const Communicator& comm, const std::string& text, int root) {
  HESSNET_CHECK(text.size() < static_cast<std::size_t>(INT_MAX) || comm.rank() != root,
                "broadcast: string longer than INT_MAX bytes");
  int length = comm.rank() == root ? static_cast<int>(text.size()) : 0;
  HESSNET_MPI_CALL(MPI_Bcast(&length, 1, MPI_INT, root, comm.get()));
  std::string result = comm.rank() == root ? text : std::string(static_cast<std::size_t>(length), '\0');
  if (length > 0) HESSNET_MPI_CALL(MPI_Bcast(result.data(), length, MPI_CHAR, root, comm.get()));
  return result;
}

namespace {

/// A committed MPI datatype selecting `runs` of doubles; the caller frees it.
MPI_Datatype make_runs_type(const DoubleRuns& runs) {
  HESSNET_CHECK(runs.lengths.size() <= static_cast<std::size_t>(INT_MAX), "reduce_scatter_runs: too many runs");
  std::vector<int> lengths(runs.lengths.size());
  std::vector<MPI_Aint> bytes(runs.offsets.size());
  for (std::size_t k = 0; k < lengths.size(); ++k) {
    HESSNET_CHECK(runs.lengths[k] <= INT_MAX, "reduce_scatter_runs: a run longer than INT_MAX");
    lengths[k] = static_cast<int>(runs.lengths[k]);
    bytes[k] = static_cast<MPI_Aint>(runs.offsets[k]) * static_cast<MPI_Aint>(sizeof(double));
  }
  MPI_Datatype type = MPI_DATATYPE_NULL;
  HESSNET_MPI_CALL(
      MPI_Type_create_hindexed(static_cast<int>(lengths.size()), lengths.data(), bytes.data(), MPI_DOUBLE, &type));
  const int committed = MPI_Type_commit(&type);
  if (committed != MPI_SUCCESS) {
    MPI_Type_free(&type);
    HESSNET_MPI_CALL(committed);
  }
  return type;
}

/// Owns an MPI datatype selecting `runs` of doubles (committed; freed on destruction).
class RunsType {
 public:
  explicit RunsType(const DoubleRuns& runs) : type_(make_runs_type(runs)) {}
  ~RunsType() { MPI_Type_free(&type_); }
  RunsType(const RunsType&) = delete;
  RunsType& operator=(const RunsType&) = delete;
  MPI_Datatype get() const { return type_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

/// The nonblocking exchange's tag: apart from reduce_scatter_runs' 0 and any other traffic.
constexpr int k_pending_reduce_scatter_tag = 0x4852;

}  // namespace

void reduce_scatter_runs(const Communicator& comm, const double* base, const std::function<DoubleRuns(int)>& runs_for,
                         Index own_count, std::vector<double>& scratch,
                         const std::function<void(const double*)>& add_received) {
  const int size = comm.size();
  const int me = comm.rank();
  HESSNET_CHECK(own_count >= 0 && own_count <= INT_MAX, "reduce_scatter_runs: count out of range");
  scratch.resize(static_cast<std::size_t>(own_count));
  for (int step = 1; step < size; ++step) {
    const int to = (me + step) % size;
    const int from = (me - step + size) % size;
    const RunsType type(runs_for(to));
    HESSNET_MPI_CALL(MPI_Sendrecv(base, 1, type.get(), to, 0, scratch.data(), static_cast<int>(own_count), MPI_DOUBLE,
                                  from, 0, comm.get(), MPI_STATUS_IGNORE));
    add_received(scratch.data());
  }
}

PendingReduceScatter::~PendingReduceScatter() {
  if (pending()) MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  release();
}

void PendingReduceScatter::release() {
  for (MPI_Datatype& type : types_) MPI_Type_free(&type);
  types_.clear();
  requests_.clear();
  received_ = nullptr;
  own_count_ = 0;
}

void PendingReduceScatter::start(const Communicator& comm, const double* base,
                                 const std::function<DoubleRuns(int)>& runs_for, Index own_count,
                                 std::vector<double>& scratch) {
  HESSNET_CHECK(!pending(), "PendingReduceScatter: an exchange is already pending");
  const int size = comm.size();
  const int me = comm.rank();
  HESSNET_CHECK(own_count >= 0 && own_count <= INT_MAX, "reduce_scatter_runs: count out of range");
  const auto steps = static_cast<std::size_t>(size - 1);
  scratch.resize(std::max(scratch.size(), steps * static_cast<std::size_t>(own_count)));
  received_ = scratch.data();
  own_count_ = own_count;
  requests_.reserve(2 * steps);
  types_.reserve(steps);
  try {
    // All receives first, so that no send arrives unexpected (an extra copy on the way).
    for (int step = 1; step < size; ++step) {
      const int from = (me - step + size) % size;
      requests_.push_back(MPI_REQUEST_NULL);
      HESSNET_MPI_CALL(MPI_Irecv(
          scratch.data() + static_cast<std::size_t>(step - 1) * static_cast<std::size_t>(own_count),
          static_cast<int>(own_count), MPI_DOUBLE, from, k_pending_reduce_scatter_tag, comm.get(), &requests_.back()));
    }
    for (int step = 1; step < size; ++step) {
      const int to = (me + step) % size;
      types_.push_back(make_runs_type(runs_for(to)));
      requests_.push_back(MPI_REQUEST_NULL);
      HESSNET_MPI_CALL(
          MPI_Isend(base, 1, types_.back(), to, k_pending_reduce_scatter_tag, comm.get(), &requests_.back()));
    }
  } catch (...) {
    // A failed post is an MPI error on this rank; cancel what was posted rather than wait
    // for peers that may never match it.
    for (MPI_Request& request : requests_)
      if (request != MPI_REQUEST_NULL) {
        MPI_Cancel(&request);
        MPI_Request_free(&request);
      }
    release();
    throw;
  }
}

bool PendingReduceScatter::progress() {
  if (!pending()) return true;
  int done = 0;
  HESSNET_MPI_CALL(MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &done, MPI_STATUSES_IGNORE));
  return done != 0;
}

void PendingReduceScatter::finish(const std::function<void(const double*)>& add_received) {
  if (!pending()) return;
  const std::size_t steps = requests_.size() / 2;
  for (std::size_t s = 0; s < steps; ++s) {
    HESSNET_MPI_CALL(MPI_Wait(&requests_[s], MPI_STATUS_IGNORE));
    add_received(received_ + s * static_cast<std::size_t>(own_count_));
  }
  HESSNET_MPI_CALL(MPI_Waitall(static_cast<int>(steps), requests_.data() + steps, MPI_STATUSES_IGNORE));
  release();
}

void alltoallv(const Communicator& comm, const std::vector<double>& send, const std::vector<int>& send_counts,
               const std::vector<int>& send_displs, std::vector<double>& receive,
               const std::vector<int>& receive_counts, const std::vector<int>& receive_displs) {
  HESSNET_MPI_CALL(MPI_Alltoallv(send.data(), send_counts.data(), send_displs.data(), MPI_DOUBLE, receive.data(),
                                 receive_counts.data(), receive_displs.data(), MPI_DOUBLE, comm.get()));
}

double broadcast(const Communicator& comm, double value, int root) {
  HESSNET_MPI_CALL(MPI_Bcast(&value, 1, MPI_DOUBLE, root, comm.get()));
  return value;
}

}  // namespace hessnet
