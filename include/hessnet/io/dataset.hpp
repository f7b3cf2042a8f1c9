// SPDX-License-Identifier: MIT
#pragma once
/// @file Samples as rows: network inputs and targets, split from a numeric table.
#include <string>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// Row s of `inputs` and row s of `targets` are sample s.
struct Dataset {
  RowMatrix inputs;
  RowMatrix targets;

  Index size() const { return inputs.rows(); }
};

/// Splits a table into network inputs and targets.
///
/// With n_in + n_out columns, the first n_in are inputs and the last n_out targets. Otherwise,
/// when n_out > 1 and the table has n_in + 1 columns, the last column is a class label
/// c in {0, ..., n_out - 1}, one-hot encoded (targets(s, c) = 1, the rest 0).
/// @param[in] source_name  file name for error messages.
/// @throws DimensionMismatch naming `source_name` when the column count fits neither layout.
/// @throws InvalidArgument naming the row and value of a label that is not an integer in range.
Dataset split_columns(const RowMatrix& table, Index n_in, Index n_out, const std::string& source_name);

/// Reads a table by file extension (.npy: load_npy_matrix, anything else: read_csv_matrix) and
/// splits it with split_columns.
Dataset load_dataset(const std::string& path, Index n_in, Index n_out);

}  // namespace hessnet
