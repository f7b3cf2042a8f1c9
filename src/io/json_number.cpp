// SPDX-License-Identifier: MIT
#include "hessnet/io/json_number.hpp"

#include <cmath>
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
  throw InvalidArgument(where + " is not a number: " + value.dump().substr(0, 60));
}

nlohmann::json parse_json(const std::string& text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 2, ..."
    if (const auto cut = what.find("] "); cut != std::string::npos) what.erase(0, cut + 2);
    throw InvalidArgument(source + ": not valid JSON: " + what);
  }
}

}  // namespace hessnet
