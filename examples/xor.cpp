// SPDX-License-Identifier: MIT
// The example of neupy's Hessian documentation, in C++: `Input(2) >> Sigmoid(3) >> Sigmoid(1)`
// trained by Newton's method on XOR. Runs on one process or under mpirun (up to 4 ranks, one
// sample each); every rank passes the whole data set and keeps its own rows.
#include <fmt/core.h>

#include <exception>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/mpi_environment.hpp"
#include "hessnet/train/hessian.hpp"

int main(int argc, char** argv) {
  hessnet::MpiEnvironment mpi(argc, argv);
  using namespace hessnet;
  const bool root = mpi.world().is_root();
  try {
    RowMatrix x_train(4, 2), y_train(4, 1);
    x_train << 0, 0,  //
        0, 1,         //
        1, 0,         //
        1, 1;
    y_train << 0, 1, 1, 0;

    Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 1e-3, .show_epoch = 10, .verbose = true});
    optimizer.train(x_train, y_train, 40);

    const RowMatrix predicted = optimizer.predict(x_train);
    if (root) {
      fmt::print("\nerrors.train:");
      for (double e : optimizer.errors.train) fmt::print(" {:.3g}", e);
      fmt::print("\nlast_epoch = {}, n_updates_made = {}\n", optimizer.last_epoch, optimizer.n_updates_made);
      for (Index s = 0; s < x_train.rows(); ++s)
        fmt::print("{} xor {} -> {:.4f}\n", x_train(s, 0), x_train(s, 1), predicted(s, 0));
    }
    return 0;
  } catch (const CollectiveError& e) {  // raised on every rank alike: report once
    if (root) fmt::print(stderr, "xor: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "xor on rank {}: {}\n", mpi.world().rank(), e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
}
