// SPDX-License-Identifier: MIT
#pragma once
/// @file The exception for a ScaLAPACK routine that rejected its arguments (info < 0).
#include <string>

#include "hessnet/core/error.hpp"

namespace hessnet {

/// A ScaLAPACK routine returned info < 0: argument -info was illegal, which is a bug in
/// hessnet, not a property of the data. Numerical failures (info > 0) are statuses instead.
class ScalapackError : public Error {
 public:
  ScalapackError(const std::string& routine, int info)
      : Error(routine + " rejected argument " + std::to_string(info < 0 ? -info : info) +
              " (info = " + std::to_string(info) + ")"),
        info_(info) {}

  /// The routine's info value.
  int info() const { return info_; }

 private:
  int info_;
};

}  // namespace hessnet
