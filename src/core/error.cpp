// SPDX-License-Identifier: MIT
#include "hessnet/core/error.hpp"

namespace hessnet::detail {

void throw_check_failure(const char* file, int line, const std::string& message) {
  // The user sees the message first; the location helps a bug report.
  throw InvalidArgument(message + " [" + file + ":" + std::to_string(line) + "]");
}

}  // namespace hessnet::detail
