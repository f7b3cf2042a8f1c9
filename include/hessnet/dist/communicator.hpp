// SPDX-License-Identifier: MIT
#pragma once
/// @file A value-semantic handle to an MPI communicator.
#include <mpi.h>

#include <memory>

namespace hessnet {

/// Shares one MPI communicator. An owning Communicator (from dup()) frees its MPI_Comm
/// when the last copy goes away and reports errors as MpiError (MPI_ERRORS_RETURN); a
/// non-owning one (world(), or the MPI_Comm constructor) only wraps a handle.
/// Copies are cheap; rank() and size() are cached at construction.
class Communicator {
 public:
  /// Non-owning wrap of MPI_COMM_WORLD.
  Communicator();
  /// Non-owning wrap of `comm`; the caller keeps it alive and frees it.
  explicit Communicator(MPI_Comm comm);

  /// Non-owning wrap of MPI_COMM_WORLD.
  static Communicator world() { return Communicator(); }

  /// Collective: an owning duplicate with the same group and MPI_ERRORS_RETURN set.
  Communicator dup() const;
  /// Collective: an owning MPI_Comm_split(color, key), with MPI_ERRORS_RETURN set.
  Communicator split(int color, int key) const;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm get() const { return *comm_; }

 private:
  static Communicator adopt(MPI_Comm owned);

  std::shared_ptr<MPI_Comm> comm_;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace hessnet
