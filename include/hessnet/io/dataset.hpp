// SPDX-License-Identifier: MIT
#pragma once
/// @file Samples as rows: network inputs and targets, split from a numeric table.
#include <string>

#include "hessnet/core/types.hpp"
#include "hessnet/io/csv.hpp"
#include "hessnet/io/npy_header.hpp"

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
/// @param[in] first_row    the file row (from 0) of `table`'s first row, for error messages
///                         when `table` is one rank's share of the file.
/// @throws DimensionMismatch naming `source_name` when the column count fits neither layout.
/// @throws InvalidArgument naming the data row (from 0, as the non-finite check and NumPy
///         count) and value of a label that is not an integer in range.
Dataset split_columns(const RowMatrix& table, Index n_in, Index n_out, const std::string& source_name,
                      Index first_row = 0);

/// Throws InvalidArgument naming `source`, the row (`first_row` + its index in `table`) and
/// the column of the first NaN or infinite entry: it would only make the loss, gradient and
/// Hessian NaN. CSV files are checked as they are read; .npy files need this.
void check_finite_data(ConstRowMatrixRef table, const std::string& source, Index first_row = 0);

/// The row count of a .npy data file; throws InvalidArgument naming `path` for a 0-d array or
/// one without rows, which hold no samples.
Index npy_data_rows(const NpyHeader& header, const std::string& path);

/// Reads a table by file extension (.npy: load_npy_matrix, anything else: read_csv_matrix) and
/// splits it with split_columns; `header` says how a CSV's first line is read.
Dataset load_dataset(const std::string& path, Index n_in, Index n_out, CsvHeader header = CsvHeader::automatic);

}  // namespace hessnet
