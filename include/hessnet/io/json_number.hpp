// SPDX-License-Identifier: MIT
#pragma once
/// @file Doubles in the JSON files hessnet writes (models, checkpoints, logs), and parsing
/// JSON text with one-line errors.
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

namespace hessnet {

/// A double as JSON: a number when finite, else "NaN", "Infinity" or "-Infinity" (JSON has no
/// such numbers). nlohmann writes numbers in the shortest form that reads back to the same bits.
nlohmann::json json_number(double value);

/// The inverse of json_number. Throws InvalidArgument "WHERE is not a number: VALUE" for any
/// other JSON value.
double number_from_json(const nlohmann::json& value, const std::string& where);

/// The whole of the file `path`; throws InvalidArgument "SOURCE: cannot open: <reason>" or
/// "SOURCE: cannot read: <reason>" (e.g. a directory) rather than a stream library's text.
std::string read_text_file(const std::string& path, const std::string& source);

/// An exception's message without nlohmann's "[json.exception.type_error.302] " prefix, escaped
/// and cut for a one-line error.
std::string json_error_text(const std::exception& e);

/// Parses `text`; throws InvalidArgument "SOURCE: not valid JSON: <position and reason>".
nlohmann::json parse_json(const std::string& text, const std::string& source);

}  // namespace hessnet
