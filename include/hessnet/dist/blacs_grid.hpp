// SPDX-License-Identifier: MIT
#pragma once
/// @file A BLACS process grid over a Communicator, owned by RAII.
#include <utility>
#include <vector>

#include "hessnet/dist/block_cyclic.hpp"
#include "hessnet/dist/communicator.hpp"

namespace hessnet {

/// An nprow x npcol BLACS grid over every rank of `comm`, in row-major order
/// (rank = prow * npcol + pcol, checked against Cblacs_pnum at construction).
/// Construction and destruction are collective over `comm`. Non-copyable and
/// non-movable: DistMatrix keeps a reference to it, so it must outlive them.
class BlacsGrid {
 public:
  /// Collective. Throws InvalidArgument on every rank when nprow or npcol < 1, when
  /// nprow * npcol != comm.size(), or when ranks passed different shapes.
  BlacsGrid(Communicator comm, int nprow, int npcol);
  /// Collective: the grid choose_grid(comm.size()).
  explicit BlacsGrid(Communicator comm);
  /// Collective: the grid `shape`.
  BlacsGrid(Communicator comm, GridShape shape) : BlacsGrid(std::move(comm), shape.nprow, shape.npcol) {}
  ~BlacsGrid();

  BlacsGrid(const BlacsGrid&) = delete;
  BlacsGrid& operator=(const BlacsGrid&) = delete;
  BlacsGrid(BlacsGrid&&) = delete;
  BlacsGrid& operator=(BlacsGrid&&) = delete;

  int nprow() const { return nprow_; }
  int npcol() const { return npcol_; }
  int myrow() const { return myrow_; }
  int mycol() const { return mycol_; }
  GridShape shape() const { return GridShape{nprow_, npcol_}; }
  /// Number of processes, nprow * npcol == communicator().size().
  int size() const { return nprow_ * npcol_; }
  /// BLACS context handle, for descinit_ and ScaLAPACK calls.
  int context() const { return context_; }
  /// Rank in communicator() of the process at grid coordinate (prow, pcol).
  int rank_of(int prow, int pcol) const { return ranks_[static_cast<std::size_t>(prow * npcol_ + pcol)]; }
  const Communicator& communicator() const { return comm_; }

 private:
  Communicator comm_;
  int nprow_ = 1;
  int npcol_ = 1;
  int myrow_ = 0;
  int mycol_ = 0;
  int system_handle_ = -1;
  int context_ = -1;
  std::vector<int> ranks_;
};

}  // namespace hessnet
