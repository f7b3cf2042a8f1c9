// SPDX-License-Identifier: MIT
#pragma once
/// @file Numeric CSV tables: strict reading with located errors, round-trip writing.
#include <string>
#include <vector>

#include "hessnet/core/types.hpp"
#include "hessnet/io/dataset.hpp"

namespace hessnet {

/// Reads a comma-separated table of finite numbers, one row per line.
///
/// Spaces and tabs around values are ignored, and so are blank lines and a final '\r'. The first
/// non-blank line is a header, and skipped, if any of its fields is not a number; it must have as
/// many fields as the rows. Every row must have the same number of columns.
/// @throws InvalidArgument naming file:line (and :column for a bad value, with its text) for a
///         missing file, ragged rows, an empty, non-numeric or non-finite value, or no data rows.
RowMatrix read_csv_matrix(const std::string& path);

/// Writes `table` as CSV, atomically, each double in the shortest form that reads back exactly.
/// @param[in] header  column names for a first line; empty for none, else one per column.
/// @throws InvalidArgument on a header of the wrong length or a failed write.
void write_csv(const std::string& path, const RowMatrix& table, const std::vector<std::string>& header = {});

}  // namespace hessnet
