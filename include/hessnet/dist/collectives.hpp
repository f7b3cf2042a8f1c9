// SPDX-License-Identifier: MIT
#pragma once
/// @file Small collectives on a Communicator. Every function here is collective: all ranks
/// of the communicator must call it, in the same order, with the same lengths.
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/dist/communicator.hpp"

namespace hessnet {

/// In place: values[i] becomes the sum over ranks of values[i].
void allreduce_sum(const Communicator& comm, std::span<double> values);
/// In place: v becomes the elementwise sum over ranks (v must have the same size everywhere).
void allreduce_sum(const Communicator& comm, Vector& v);

/// Sum over ranks.
double allreduce_sum(const Communicator& comm, double value);
Index allreduce_sum(const Communicator& comm, Index value);
int allreduce_sum(const Communicator& comm, int value);
/// Maximum over ranks.
double allreduce_max(const Communicator& comm, double value);
int allreduce_max(const Communicator& comm, int value);
/// Minimum over ranks.
double allreduce_min(const Communicator& comm, double value);
int allreduce_min(const Communicator& comm, int value);
/// Logical and / or over ranks.
bool allreduce_and(const Communicator& comm, bool value);
bool allreduce_or(const Communicator& comm, bool value);

/// Personalized all-to-all of doubles (MPI_Alltoallv): send[send_displs[q] ..][send_counts[q]]
/// goes to rank q, and rank q's block lands at receive[receive_displs[q] ..].
void alltoallv(const Communicator& comm, const std::vector<double>& send, const std::vector<int>& send_counts,
               const std::vector<int>& send_displs, std::vector<double>& receive,
               const std::vector<int>& receive_counts, const std::vector<int>& receive_displs);

/// Runs of doubles in one buffer, in doubles from its start: what one rank sends another
/// straight from its own layout, with no packed copy (an MPI hindexed datatype).
struct DoubleRuns {
  std::vector<Index> offsets;
  std::vector<Index> lengths;
  void add(Index offset, Index length) {
    offsets.push_back(offset);
    lengths.push_back(length);
  }
};

/// Reduce-scatter by pairwise exchange, from and into the caller's own layouts. In step
/// s = 1..P-1 each rank sends runs_for(rank + s) of `base` (the values rank + s owns) and
/// receives `own_count` doubles, the sender's runs_for(this rank) in order, from rank - s
/// into `scratch`, then calls add_received(scratch.data()) to add them into place. Every
/// rank sends and adds (P-1)/P of its values, no rank gathers the whole buffer, and the only
/// temporary is `scratch` (own_count doubles). Several times faster than MPI_Reduce_scatter
/// on large panels through shared memory, and no packed copy of the send side.
void reduce_scatter_runs(const Communicator& comm, const double* base, const std::function<DoubleRuns(int)>& runs_for,
                         Index own_count, std::vector<double>& scratch,
                         const std::function<void(const double*)>& add_received);

/// reduce_scatter_runs in two halves, so that local work can run while the messages travel.
/// start() posts every step's receive, each into its own block of `scratch`, and every send
/// at once; progress() lets MPI move them (on shared memory Open MPI copies only inside MPI
/// calls); finish() waits for the receives in step order s = 1..P-1 and calls add_received
/// on each block, as reduce_scatter_runs does, so the sums are the same bit for bit. Between
/// start() and finish() `base` and `scratch` must stay unchanged and alive. Costs (P-1)
/// own_count doubles of scratch where reduce_scatter_runs takes own_count. The messages
/// carry their own tag, and collectives on the same communicator (e.g. the agreement on a
/// failed panel) may run while they are pending; one exchange per communicator at a time.
class PendingReduceScatter {
 public:
  PendingReduceScatter() = default;
  /// Waits for an exchange left pending (every rank unwinds through here when all ranks
  /// throw together, so the messages still match), dropping its values.
  ~PendingReduceScatter();
  PendingReduceScatter(const PendingReduceScatter&) = delete;
  PendingReduceScatter& operator=(const PendingReduceScatter&) = delete;

  /// Collective, as reduce_scatter_runs; throws if an exchange is already pending.
  void start(const Communicator& comm, const double* base, const std::function<DoubleRuns(int)>& runs_for,
             Index own_count, std::vector<double>& scratch);
  /// Local and cheap (one MPI_Testall); no-op when nothing is pending. True when all is done.
  bool progress();
  /// Waits and adds, as above; then nothing is pending. No-op when nothing is pending.
  void finish(const std::function<void(const double*)>& add_received);
  bool pending() const { return !requests_.empty(); }

 private:
  void release();

  std::vector<MPI_Request> requests_;  // receives of steps 1..P-1, then the sends
  std::vector<MPI_Datatype> types_;    // the sends' runs, freed once they completed
  const double* received_ = nullptr;   // scratch: step s's block at (s-1) own_count
  Index own_count_ = 0;
};

/// Returns root's `text` on every rank (the argument is ignored on the others).
std::string broadcast(const Communicator& comm, const std::string& text, int root = 0);
/// Returns root's `value` on every rank.
double broadcast(const Communicator& comm, double value, int root = 0);

}  // namespace hessnet
