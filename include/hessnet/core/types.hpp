// SPDX-License-Identifier: MIT
#pragma once
/// @file Matrix types shared by every module.
#include <Eigen/Core>

namespace hessnet {

using Index = Eigen::Index;
/// Samples as rows, like a NumPy array in C order (row s is sample s).
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMatrixRef = Eigen::Ref<const RowMatrix>;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;

}  // namespace hessnet
