// SPDX-License-Identifier: MIT
#pragma once
/// @file HESSNET_MPI_CALL: turns a failed MPI return code into a hessnet::MpiError.
#include <mpi.h>

#include "hessnet/core/error.hpp"

namespace hessnet::detail {

/// Throws MpiError "MPI error in <call> at file:line: <MPI_Error_string(code)>".
[[noreturn]] void throw_mpi_error(int code, const char* call, const char* file, int line);

}  // namespace hessnet::detail

/// Evaluates an MPI call and throws hessnet::MpiError when it does not return MPI_SUCCESS.
/// Only useful on communicators whose error handler is MPI_ERRORS_RETURN (every owning
/// Communicator sets it); on MPI_ERRORS_ARE_FATAL the library aborts before we see the code.
#define HESSNET_MPI_CALL(expr)                                                          \
  do {                                                                                  \
    const int hessnet_mpi_code_ = (expr);                                               \
    if (hessnet_mpi_code_ != MPI_SUCCESS)                                               \
      ::hessnet::detail::throw_mpi_error(hessnet_mpi_code_, #expr, __FILE__, __LINE__); \
  } while (false)
