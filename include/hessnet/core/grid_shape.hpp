// SPDX-License-Identifier: MIT
#pragma once
/// @file The shape of a 2D process grid, and the `--grid PxQ` option that sets it. Pure: no MPI.
#include <charconv>
#include <climits>
#include <string>
#include <string_view>
#include <system_error>

#include "hessnet/core/error.hpp"

namespace hessnet {

/// A process grid shape: nprow process rows by npcol process columns.
struct GridShape {
  int nprow = 1;
  int npcol = 1;

  int size() const { return nprow * npcol; }
  friend bool operator==(const GridShape&, const GridShape&) = default;
};

/// Throws InvalidArgument(message) unless `ok`: grid options come from users, so the message
/// carries no source location.
inline void require_grid(bool ok, const std::string& message) {
  if (!ok) throw InvalidArgument(message);
}

/// The grid closest to square with nprow <= npcol and nprow * npcol == nprocs
/// (1 x P for prime P). Throws InvalidArgument if nprocs < 1.
inline GridShape choose_grid(int nprocs) {
  HESSNET_CHECK(nprocs >= 1, "choose_grid: need at least one process, got " + std::to_string(nprocs));
  int nprow = 1;
  for (int r = 1; r <= nprocs / r; ++r) {
    if (nprocs % r == 0) nprow = r;
  }
  return GridShape{nprow, nprocs / nprow};
}

/// Parses "PxQ" (or "PXQ"): two positive decimal integers, nothing else, product <= INT_MAX.
/// Throws InvalidArgument naming the text otherwise.
inline GridShape parse_grid(std::string_view text) {
  std::string quoted(1, '\'');  // built by append: gcc 12 warns falsely on "'" + string
  quoted.append(text).push_back('\'');
  const auto x = text.find_first_of("xX");
  require_grid(x != std::string_view::npos, "grid " + quoted + " is not of the form PxQ (e.g. 2x4)");
  auto parse_positive = [&](std::string_view part) {
    int value = 0;
    const char* first = part.data();
    const char* last = part.data() + part.size();
    const auto [end, error] = std::from_chars(first, last, value);
    require_grid(!part.empty() && part.front() != '-' && part.front() != '+' && error == std::errc() && end == last,
                 "grid " + quoted + " is not of the form PxQ with positive integers P and Q");
    require_grid(value >= 1, "grid " + quoted + " has a zero dimension");
    return value;
  };
  const int nprow = parse_positive(text.substr(0, x));
  const int npcol = parse_positive(text.substr(x + 1));
  require_grid(nprow <= INT_MAX / npcol, "grid " + quoted + " has too many processes");
  return GridShape{nprow, npcol};
}

/// The grid for `nprocs` processes from a user option: "" or "auto" chooses the grid,
/// otherwise parse_grid(text), which must have exactly nprocs processes (InvalidArgument).
inline GridShape resolve_grid(std::string_view text, int nprocs) {
  if (text.empty() || text == "auto") return choose_grid(nprocs);
  const GridShape shape = parse_grid(text);
  require_grid(shape.size() == nprocs, "grid '" + std::string(text) + "' has " + std::to_string(shape.size()) +
                                           " processes but " + std::to_string(nprocs) + " ranks are running");
  return shape;
}

}  // namespace hessnet
