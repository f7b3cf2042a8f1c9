// SPDX-License-Identifier: MIT
// A program outside the hessnet tree: Newton's method on XOR through the installed package.
#include <hessnet/hessnet.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  hessnet::MpiEnvironment mpi(argc, argv);
  using namespace hessnet;
  RowMatrix x(4, 2), y(4, 1);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  y << 0, 1, 1, 0;
  Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 1e-3});
  optimizer.train(x, y, 40);
  const double loss = optimizer.errors.train.back();
  if (mpi.world().is_root())
    std::printf("ranks %d, loss after %d epochs %.3g\n", mpi.world().size(), optimizer.last_epoch, loss);
  return loss < 1e-3 ? 0 : 1;
}
