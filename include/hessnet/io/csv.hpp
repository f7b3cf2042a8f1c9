// SPDX-License-Identifier: MIT
#pragma once
/// @file Numeric CSV tables: strict reading with located errors, round-trip writing.
#include <string>
#include <vector>

#include "hessnet/core/types.hpp"

namespace hessnet {

/// Whether the first non-blank line of a CSV names the columns.
enum class CsvHeader {
  automatic,  ///< a header when no field is a number; 0,1,...,k-1 and a line mixing numbers
              ///< and text are refused as ambiguous
  present,    ///< always a header, skipped whatever it holds
  absent,     ///< always data
};

/// Reads a comma-separated table of finite numbers, one row per line.
///
/// Spaces and tabs around values are ignored, and so are blank lines and a final '\r'. The first
/// non-blank line is a header as `header` says; a header must have as many fields as the rows.
/// Every row must have the same number of columns. With CsvHeader::automatic a first line of
/// 0,1,...,k-1 (k >= 2) is refused: it is what pandas writes as the names of unnamed columns,
/// yet it is numbers, and reading it either way could be wrong without a word; so is a first
/// line with both numbers and text (names, or a row of data with a typo?).
/// @throws InvalidArgument naming file:line (and :column for a bad value, with its text) for a
///         missing file, ragged rows, an empty, non-numeric or non-finite value, no data rows,
///         or that ambiguous first line.
RowMatrix read_csv_matrix(const std::string& path, CsvHeader header = CsvHeader::automatic);

/// Writes `table` as CSV, atomically, each double in the shortest form that reads back exactly.
/// @param[in] header  column names for a first line; empty for none, else one per column.
/// @throws InvalidArgument on a header of the wrong length or a failed write.
void write_csv(const std::string& path, const RowMatrix& table, const std::vector<std::string>& header = {});

}  // namespace hessnet
