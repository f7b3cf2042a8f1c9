// SPDX-License-Identifier: MIT
#pragma once
/// @file Small collectives on a Communicator. Every function here is collective: all ranks
/// of the communicator must call it, in the same order, with the same lengths.
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

/// Reduce-scatter by pairwise exchange: `sections` holds one section per rank, back to back,
/// section q being counts[q] values destined for rank q. On return this rank's own section
/// holds the sum over all ranks of their sections for it; the other sections are unchanged.
/// In step s = 1..P-1 each rank sends its section for rank + s and adds the one received
/// from rank - s (through `scratch`, resized to counts[rank]): every rank sends and adds
/// (P-1)/P of the buffer, with no root and no temporary copy of the whole buffer (several
/// times faster than MPI_Reduce_scatter for large panels through shared memory).
void reduce_scatter_sum(const Communicator& comm, std::span<double> sections, const std::vector<int>& counts,
                        std::vector<double>& scratch);

/// Returns root's `text` on every rank (the argument is ignored on the others).
std::string broadcast(const Communicator& comm, const std::string& text, int root = 0);

}  // namespace hessnet
