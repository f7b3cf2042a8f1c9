// SPDX-License-Identifier: MIT
#pragma once
/// @file Exceptions for programming and configuration errors. Numerical outcomes
/// (a matrix that is not positive definite, a NaN loss) are statuses, not exceptions.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hessnet {

/// Base of every hessnet exception; what() is a one-line message for the user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A bad option, value or input file.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// Shapes that do not fit together (data columns vs network, block sizes, ...).
class DimensionMismatch : public Error {
 public:
  using Error::Error;
};

/// An MPI, BLACS or ScaLAPACK call that reported a failure.
class MpiError : public Error {
 public:
  using Error::Error;
};

/// Untrusted text (a CSV cell, a JSON value, a network string) made safe for a one-line
/// message: control characters, NUL and backslashes escaped, cut to about `max` characters
/// with the full length noted, so that no byte of it can end, split or flood the message.
std::string escaped(std::string_view text, std::size_t max = 80);
/// escaped() in single quotes (a quote inside is escaped).
std::string quoted(std::string_view text, std::size_t max = 80);

namespace detail {
[[noreturn]] void throw_check_failure(const char* file, int line, const std::string& message);
}  // namespace detail

}  // namespace hessnet

/// Throws hessnet::InvalidArgument with file:line when cond is false.
#define HESSNET_CHECK(cond, message)                                                    \
  do {                                                                                  \
    if (!(cond)) ::hessnet::detail::throw_check_failure(__FILE__, __LINE__, (message)); \
  } while (false)
