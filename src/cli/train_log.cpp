// SPDX-License-Identifier: MIT
#include "train_log.hpp"

#include <fmt/core.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>

#include "hessnet/core/error.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/json_number.hpp"

namespace hessnet::cli {
namespace {

using nlohmann::json;

/// Empty when there is no value, or none was reached (NaN: e.g. lambda of a failed update).
std::string optional_field(const std::optional<double>& v) { return v && !std::isnan(*v) ? fmt::format("{}", *v) : ""; }

json number(double v) { return json_number(v); }
json number(const std::optional<double>& v) { return v ? json_number(*v) : json(nullptr); }
double real(const json& v) { return number_from_json(v, "value"); }
std::optional<double> optional_real(const json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end() || it->is_null()) return std::nullopt;
  return real(*it);
}

}  // namespace

void write_log(const std::string& path, const std::vector<LogRow>& rows, bool curvature) {
  write_file_atomically(path, [&](std::ostream& out) {
    out << "epoch,train_loss,valid_loss,accuracy,lambda,escalations,seconds_assembly,seconds_solve,seconds_total,"
           "factorizations,evaluations,radius,mu,stop_reason"
        << (curvature ? ",min_eigenvalue\n" : "\n");
    for (const LogRow& r : rows) {
      out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}", r.epoch, r.train, optional_field(r.valid),
                         optional_field(r.accuracy), optional_field(r.lambda), r.escalations, r.assembly, r.solve,
                         r.total, r.factorizations, r.evaluations, optional_field(r.radius), optional_field(r.mu),
                         r.stop_reason);
      if (curvature) out << ',' << optional_field(r.min_eigenvalue);
      out << '\n';
    }
  });
}

std::string log_rows_to_json(const std::vector<LogRow>& rows) {
  json list = json::array();
  for (const LogRow& r : rows)
    list.push_back({{"epoch", r.epoch},
                    {"train_loss", number(r.train)},
                    {"valid_loss", number(r.valid)},
                    {"accuracy", number(r.accuracy)},
                    {"lambda", number(r.lambda)},
                    {"escalations", r.escalations},
                    {"seconds_assembly", number(r.assembly)},
                    {"seconds_solve", number(r.solve)},
                    {"seconds_total", number(r.total)},
                    {"factorizations", r.factorizations},
                    {"evaluations", r.evaluations},
                    {"radius", number(r.radius)},
                    {"mu", number(r.mu)},
                    {"stop_reason", r.stop_reason},
                    {"min_eigenvalue", number(r.min_eigenvalue)}});
  return json{{"log", list}}.dump();
}

std::vector<LogRow> log_rows_of(const Checkpoint& checkpoint, const std::string& source) {
  std::vector<LogRow> rows;
  const json extra = checkpoint.extra_json.empty() ? json(nullptr) : json::parse(checkpoint.extra_json);
  if (!extra.is_object() || !extra.contains("log")) {
    // Written through the C++ API: the histories give the loss columns.
    for (int e = 1; e <= checkpoint.last_epoch; ++e) {
      LogRow r;
      r.epoch = e;
      r.train = checkpoint.train_errors[static_cast<std::size_t>(e - 1)];
      if (static_cast<std::size_t>(e) <= checkpoint.valid_errors.size())
        r.valid = checkpoint.valid_errors[static_cast<std::size_t>(e - 1)];
      rows.push_back(r);
    }
    return rows;
  }
  try {
    for (const json& row : extra.at("log")) {
      LogRow r;
      r.epoch = row.at("epoch").get<int>();
      r.train = real(row.at("train_loss"));
      r.valid = optional_real(row, "valid_loss");
      r.accuracy = optional_real(row, "accuracy");
      r.lambda = optional_real(row, "lambda");
      r.escalations = row.at("escalations").get<int>();
      r.assembly = real(row.at("seconds_assembly"));
      r.solve = real(row.at("seconds_solve"));
      r.total = real(row.at("seconds_total"));
      r.min_eigenvalue = optional_real(row, "min_eigenvalue");
      r.factorizations = row.value("factorizations", 0);
      r.evaluations = row.value("evaluations", 0);
      r.radius = optional_real(row, "radius");
      r.mu = optional_real(row, "mu");
      r.stop_reason = row.value("stop_reason", std::string());
      if (r.epoch <= checkpoint.last_epoch) rows.push_back(r);
    }
  } catch (const std::exception& e) {
    throw InvalidArgument(source + ": extra.log: " + json_error_text(e));
  }
  return rows;
}

}  // namespace hessnet::cli
