// SPDX-License-Identifier: MIT
#include "hessnet/core/error.hpp"

#include <cstdio>

namespace hessnet {
namespace {

/// `c` as it appears in a message: itself when printable, else a C-style escape.
std::string escape_char(char c, char quote) {
  switch (c) {
    case '\0':
      return "\\0";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\\':
      return "\\\\";
    default:
      break;
  }
  if (c == quote && quote != '\0') return std::string("\\") + c;
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte != 0x7f) return std::string(1, c);  // UTF-8 bytes pass through
  char hex[5];
  std::snprintf(hex, sizeof hex, "\\x%02x", byte);
  return hex;
}

std::string escape(std::string_view text, std::size_t max, char quote) {
  std::string out;
  std::size_t used = 0;
  for (; used < text.size(); ++used) {
    const std::string next = escape_char(text[used], quote);
    if (out.size() + next.size() > max) break;
    out += next;
  }
  if (used == text.size()) return out;
  // Do not end inside a UTF-8 sequence: drop continuation bytes and their lead byte.
  while (used > 0 && (static_cast<unsigned char>(text[used]) & 0xC0) == 0x80) {
    --used;
    out.pop_back();
  }
  return out + "...(" + std::to_string(text.size()) + " bytes)";
}

}  // namespace

std::string escaped(std::string_view text, std::size_t max) { return escape(text, max, '\0'); }

std::string quoted(std::string_view text, std::size_t max) {
  std::string out = escape(text, max, '\'');
  out.insert(out.begin(), '\'');
  out.push_back('\'');
  return out;
}

namespace detail {

void throw_check_failure(const char* file, int line, const std::string& message) {
  // The user sees the message first; the location helps a bug report.
  throw InvalidArgument(message + " [" + file + ":" + std::to_string(line) + "]");
}

}  // namespace detail
}  // namespace hessnet
