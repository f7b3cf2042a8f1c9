// SPDX-License-Identifier: MIT
#pragma once
/// @file Newton's method on the exact Hessian: neupy's `algorithms.Hessian` over MPI (with
/// its relatives TrustRegion and LevenbergMarquardt, see curvature_optimizer.hpp).
#include "hessnet/train/curvature_optimizer.hpp"
