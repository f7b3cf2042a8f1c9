// SPDX-License-Identifier: MIT
#include "hessnet/io/json_number.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "hessnet/core/error.hpp"

namespace hessnet {

nlohmann::json json_number(double value) {
  if (std::isfinite(value)) return value;
  if (std::isnan(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

double number_from_json(const nlohmann::json& value, const std::string& where) {
  if (value.is_number()) return value.get<double>();
  if (value == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (value == "Infinity") return std::numeric_limits<double>::infinity();
  if (value == "-Infinity") return -std::numeric_limits<double>::infinity();
  throw InvalidArgument(where + " is not a number: " + escaped(value.dump()));
}

std::string read_text_file(const std::string& path, const std::string& source) {
  const auto fail = [&source](const char* what, int error) {
    throw InvalidArgument(source + ": cannot " + what + ": " + std::strerror(error));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open", errno);
  std::string text;
  struct stat st {};
  int error = ::fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
  char buffer[1 << 16];
  while (error == 0) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error = errno;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (error != 0) fail("read", error);
  return text;
}

std::string json_error_text(const std::exception& e) {
  std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 2, ..."
  if (what.starts_with("[json.exception.")) {
    if (const auto cut = what.find("] "); cut != std::string::npos) what.erase(0, cut + 2);
  }
  return escaped(what, 200);
}

nlohmann::json parse_json(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(source + ": not valid JSON: " + json_error_text(e));
  }
}

}  // namespace hessnet
