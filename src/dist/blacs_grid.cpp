// SPDX-License-Identifier: MIT
#include "hessnet/dist/blacs_grid.hpp"

#include <string>
#include <utility>

#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/scalapack_api.hpp"

namespace hessnet {

namespace {

/// Checks the shape on every rank and agrees on the verdict, so either all ranks throw or
/// none does (one rank throwing while the others enter Cblacs_gridinit would hang).
void check_shape_collectively(const Communicator& comm, int nprow, int npcol) {
  const bool positive = nprow >= 1 && npcol >= 1;
  const bool local_ok = positive && static_cast<long long>(nprow) * npcol == comm.size();
  const bool all_ok = allreduce_and(comm, local_ok);
  const bool same = allreduce_max(comm, nprow) == allreduce_min(comm, nprow) &&
                    allreduce_max(comm, npcol) == allreduce_min(comm, npcol);
  const std::string shape = std::to_string(nprow) + "x" + std::to_string(npcol);
  HESSNET_CHECK(same, "BlacsGrid: ranks asked for different grid shapes (this rank: " + shape + ")");
  HESSNET_CHECK(positive, "BlacsGrid: grid " + shape + " has a dimension below 1");
  HESSNET_CHECK(all_ok, "BlacsGrid: grid " + shape + " has " + std::to_string(static_cast<long long>(nprow) * npcol) +
                            " processes but the communicator has " + std::to_string(comm.size()));
}

}  // namespace

BlacsGrid::BlacsGrid(Communicator comm) : BlacsGrid(comm, choose_grid(comm.size())) {}

BlacsGrid::BlacsGrid(Communicator comm, int nprow, int npcol) : comm_(std::move(comm)), nprow_(nprow), npcol_(npcol) {
  check_shape_collectively(comm_, nprow, npcol);
  system_handle_ = Csys2blacs_handle(comm_.get());
  context_ = system_handle_;
  Cblacs_gridinit(&context_, "Row", nprow_, npcol_);
  int rows = 0;
  int cols = 0;
  Cblacs_gridinfo(context_, &rows, &cols, &myrow_, &mycol_);
  ranks_.resize(static_cast<std::size_t>(nprow_) * static_cast<std::size_t>(npcol_));
  for (int r = 0; r < nprow_; ++r) {
    for (int c = 0; c < npcol_; ++c) {
      ranks_[static_cast<std::size_t>(r * npcol_ + c)] = Cblacs_pnum(context_, r, c);
    }
  }
  // Panel assembly addresses owners by communicator rank; BLACS must agree with us.
  const bool consistent =
      rows == nprow_ && cols == npcol_ && myrow_ >= 0 && mycol_ >= 0 && rank_of(myrow_, mycol_) == comm_.rank();
  if (!allreduce_and(comm_, consistent)) {
    Cblacs_gridexit(context_);
    Cfree_blacs_system_handle(system_handle_);
    throw MpiError("BlacsGrid: BLACS grid coordinates disagree with communicator ranks");
  }
}

BlacsGrid::~BlacsGrid() {
  Cblacs_gridexit(context_);
  Cfree_blacs_system_handle(system_handle_);
}

}  // namespace hessnet
