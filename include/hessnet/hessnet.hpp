// SPDX-License-Identifier: MIT
#pragma once
/// @file Everything a program that trains with hessnet needs, in one include:
/// networks (`Input(2) >> Sigmoid(3) >> Sigmoid(1)`), losses and regularizers, the optimizers
/// (Hessian, TrustRegion, LevenbergMarquardt, HessianDiagonal) with their options and
/// callbacks, stop rules, sharded data, model files and checkpoints, and the MPI environment.
///
/// ```
/// #include <hessnet/hessnet.hpp>
/// int main(int argc, char** argv) {
///   hessnet::MpiEnvironment mpi(argc, argv);
///   using namespace hessnet;
///   Hessian optimizer(Input(2) >> Sigmoid(3) >> Sigmoid(1), {.penalty_const = 1e-3});
///   ...
/// }
/// ```
#include "hessnet/analysis/spectrum_summary.hpp"
#include "hessnet/core/error.hpp"
#include "hessnet/core/types.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/communicator.hpp"
#include "hessnet/dist/distributed_objective.hpp"
#include "hessnet/dist/mpi_environment.hpp"
#include "hessnet/dist/sharded_dataset.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/dataset.hpp"
#include "hessnet/io/model_file.hpp"
#include "hessnet/io/npy.hpp"
#include "hessnet/loss/loss.hpp"
#include "hessnet/loss/regularizer.hpp"
#include "hessnet/model/layers.hpp"
#include "hessnet/model/network.hpp"
#include "hessnet/optim/callbacks.hpp"
#include "hessnet/optim/options.hpp"
#include "hessnet/train/checkpoint.hpp"
#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"
#include "hessnet/train/input_scaling.hpp"
#include "hessnet/train/metrics.hpp"
