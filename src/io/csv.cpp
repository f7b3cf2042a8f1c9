// SPDX-License-Identifier: MIT
#include "hessnet/io/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>

#include "hessnet/core/error.hpp"
#include "hessnet/io/atomic_file.hpp"

namespace hessnet {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    const auto comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

/// Whole-field parse; from_chars does not take a leading '+', so one is skipped here.
std::errc parse_double(std::string_view text, double& value) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  if (text.empty()) return std::errc::invalid_argument;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc{} && end != text.data() + text.size()) return std::errc::invalid_argument;
  return ec;
}

bool is_number(std::string_view field) {
  double ignored = 0;
  return parse_double(field, ignored) != std::errc::invalid_argument;
}

/// The first field that is not a number, or none when every field is one.
std::optional<std::size_t> first_text(const std::vector<std::string_view>& fields) {
  for (std::size_t c = 0; c < fields.size(); ++c)
    if (!is_number(fields[c])) return c;
  return std::nullopt;
}

/// 0,1,...,k-1 written as plain integers: pandas' names for a frame's unnamed columns.
bool counts_the_columns(const std::vector<std::string_view>& fields) {
  if (fields.size() < 2) return false;
  for (std::size_t c = 0; c < fields.size(); ++c)
    if (fields[c] != std::to_string(c)) return false;
  return true;
}

}  // namespace

RowMatrix read_csv_matrix(const std::string& path, CsvHeader header) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  std::vector<double> values;
  std::size_t cols = 0;
  long shape_line = 0, line_no = 0, rows = 0;
  for (std::string line; std::getline(in, line);) {
    if (++line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte order mark
    if (line_no == 1 && line.starts_with("\x1F\x8B"))
      throw InvalidArgument(fmt::format("'{}' is gzip-compressed: decompress it first (gunzip -k)", path));
    if (const auto cr = line.find('\r'); cr != std::string::npos && cr + 1 < line.size())
      throw InvalidArgument(
          fmt::format("{}:{}: a carriage return inside the line: lines that end in CR alone are "
                      "not read; convert them to LF (tr '\\r' '\\n')",
                      path, line_no));
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    if (cols == 0) {
      cols = fields.size(), shape_line = line_no;
      if (header == CsvHeader::present) continue;
      if (header == CsvHeader::automatic && counts_the_columns(fields))
        throw InvalidArgument(
            fmt::format("{}:{}: the first line is 0,1,...,{}: column names as pandas writes them, "
                        "or a row of data? Say which with --csv-header yes or no",
                        path, line_no, cols - 1));
      if (header == CsvHeader::automatic) {
        const auto text = first_text(fields);
        const bool some_numbers = std::any_of(fields.begin(), fields.end(), is_number);
        // Names with a number among them are rare; a row of data with a typo is not, and
        // skipping it as names would lose a sample without a word.
        if (text && some_numbers)
          throw InvalidArgument(
              fmt::format("{}:{}: the first line mixes numbers and text ({} in column {}): column names, or a "
                          "row of data with a typo? Say which with --csv-header yes or no",
                          path, line_no, quoted(fields[*text]), *text + 1));
        if (text) continue;
      }
    } else if (fields.size() != cols) {
      throw InvalidArgument(fmt::format("{}:{}:{}: the row has {} columns, expected {} as on line {}", path, line_no,
                                        std::min(fields.size(), cols) + 1, fields.size(), cols, shape_line));
    }
    for (std::size_t c = 0; c < cols; ++c) {
      double value = 0;
      const std::errc ec = parse_double(fields[c], value);
      const char* problem = ec == std::errc::invalid_argument ? "is not a number"
                            : ec != std::errc{}               ? "is out of range for a double"
                            : !std::isfinite(value)           ? "is not a finite number"
                                                              : nullptr;
      if (problem != nullptr) {
        const bool other_separator = fields[c].find_first_of(";\t") != std::string_view::npos;
        throw InvalidArgument(fmt::format("{}:{}:{}: {} {}{}", path, line_no, c + 1, quoted(fields[c]), problem,
                                          other_separator ? " (fields are separated by commas)" : ""));
      }
      values.push_back(value);
    }
    ++rows;
  }
  if (in.bad()) throw InvalidArgument(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  if (rows == 0) throw InvalidArgument(fmt::format("'{}' has no data rows", path));
  return Eigen::Map<const RowMatrix>(values.data(), rows, static_cast<Index>(cols));
}

void write_csv(const std::string& path, const RowMatrix& table, const std::vector<std::string>& header) {
  if (!header.empty() && static_cast<Index>(header.size()) != table.cols())
    throw InvalidArgument(
        fmt::format("writing '{}': {} header names for {} columns", path, header.size(), table.cols()));
  for (const auto& name : header)
    if (name.find_first_of(",\r\n") != std::string::npos)
      throw InvalidArgument(fmt::format("writing '{}': bad column name {}", path, quoted(name)));
  write_file_atomically(path, [&](std::ostream& out) {
    if (!header.empty()) out << fmt::format("{}\n", fmt::join(header, ","));
    fmt::memory_buffer line;
    for (Index r = 0; r < table.rows(); ++r) {
      line.clear();
      for (Index c = 0; c < table.cols(); ++c) {
        if (c > 0) line.push_back(',');
        fmt::format_to(std::back_inserter(line), "{}", table(r, c));
      }
      line.push_back('\n');
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
  });
}

}  // namespace hessnet
