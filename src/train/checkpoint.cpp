// SPDX-License-Identifier: MIT
#include "hessnet/train/checkpoint.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/model_file.hpp"

namespace hessnet {
namespace {

using nlohmann::json;

/// A double as JSON: a number when finite, else the string JSON lacks a number for.
json number(double value) {
  if (std::isfinite(value)) return value;
  if (std::isnan(value)) return "NaN";
  return value > 0 ? "Infinity" : "-Infinity";
}

json numbers(const std::vector<double>& values) {
  json out = json::array();
  for (const double v : values) out.push_back(number(v));
  return out;
}

json numbers(const Vector& values) { return numbers(std::vector<double>(values.begin(), values.end())); }

/// Checked reads of the parsed document; every error is "SOURCE: what".
class Reader {
 public:
  Reader(const json& doc, std::string source) : doc_(doc), source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& message) const { throw InvalidArgument(source_ + ": " + message); }

  const json& key(const std::string& name) const {
    const auto it = doc_.find(name);
    if (it == doc_.end()) fail("missing key " + name);
    return *it;
  }
  std::string text(const std::string& name) const {
    const json& v = key(name);
    if (!v.is_string()) fail(name + " must be a string, got " + v.dump());
    return v.get<std::string>();
  }
  long long integer(const std::string& name) const {
    const json& v = key(name);
    if (!v.is_number_integer() || v.get<long long>() < 0) fail(name + " must be an integer >= 0, got " + v.dump());
    return v.get<long long>();
  }
  double real(const json& v, const std::string& where) const {
    if (v.is_number()) return v.get<double>();
    if (v == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (v == "Infinity") return std::numeric_limits<double>::infinity();
    if (v == "-Infinity") return -std::numeric_limits<double>::infinity();
    fail(where + " is not a number: " + v.dump());
  }
  std::vector<double> reals(const json& v, const std::string& where) const {
    if (!v.is_array()) fail(where + " must be an array of numbers, got " + v.dump().substr(0, 40));
    std::vector<double> out;
    for (std::size_t k = 0; k < v.size(); ++k) out.push_back(real(v[k], where + "[" + std::to_string(k) + "]"));
    return out;
  }
  Vector vector(const json& v, const std::string& where) const {
    const std::vector<double> values = reals(v, where);
    return Eigen::Map<const Vector>(values.data(), static_cast<Index>(values.size()));
  }

 private:
  const json& doc_;
  std::string source_;
};

json scaling_json(const std::optional<CheckpointScaling>& scaling) {
  if (!scaling) return nullptr;
  return {{"kind", scaling->kind}, {"mean", numbers(scaling->values.mean)}, {"scale", numbers(scaling->values.scale)}};
}

std::optional<CheckpointScaling> read_scaling(const Reader& r, const Index inputs) {
  const json& v = r.key("input_scaling");
  if (v.is_null()) return std::nullopt;
  if (!v.is_object() || !v.contains("kind") || !v["kind"].is_string() || !v.contains("mean") || !v.contains("scale"))
    r.fail("input_scaling must be null or an object with kind, mean and scale");
  CheckpointScaling s{v["kind"].get<std::string>(), {r.vector(v["mean"], "input_scaling.mean"),
                                                      r.vector(v["scale"], "input_scaling.scale")}};
  if (s.values.mean.size() != inputs || s.values.scale.size() != inputs)
    r.fail("input_scaling must have one mean and one scale per network input (" + std::to_string(inputs) + ")");
  return s;
}

}  // namespace

std::string checkpoint_path(const std::string& directory) {
  return (std::filesystem::path(directory) / "checkpoint.json").string();
}

std::string checkpoint_to_json(const Checkpoint& c) {
  json extra = nullptr;
  if (!c.extra_json.empty()) {
    try {
      extra = json::parse(c.extra_json);
    } catch (const json::parse_error& e) {
      throw InvalidArgument(std::string("checkpoint: the extra document is not valid JSON: ") + e.what());
    }
  }
  // One key per line, in a fixed order; the values compact (the model is one line).
  const std::vector<std::pair<const char*, json>> fields = {
      {"format", k_checkpoint_format},
      {"algorithm", c.algorithm},
      {"architecture", c.network.architecture().to_string()},
      {"options", c.options},
      {"last_epoch", c.last_epoch},
      {"n_updates_made", static_cast<long long>(c.n_updates_made)},
      {"errors", {{"train", numbers(c.train_errors)}, {"valid", numbers(c.valid_errors)}}},
      {"adaptive_lambda", c.adaptive_lambda >= 0 ? json(c.adaptive_lambda) : json(nullptr)},
      {"shuffle_rng", c.shuffle_rng},
      {"train_samples", static_cast<long long>(c.train_samples)},
      {"input_scaling", scaling_json(c.input_scaling)},
      {"model", json::parse(model_to_json(c.network, "the checkpoint's network"))},
      {"extra", extra},
  };
  std::string text = "{";
  for (const auto& [name, value] : fields)
    text += std::string(text.size() > 1 ? ",\n " : "\n ") + json(name).dump() + ": " + value.dump();
  return text + "\n}\n";
}

Checkpoint checkpoint_from_json(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 2, ..."
    if (const auto cut = what.find("] "); cut != std::string::npos) what.erase(0, cut + 2);
    throw InvalidArgument(source + ": not valid JSON: " + what);
  }
  if (!doc.is_object()) throw InvalidArgument(source + ": the top level must be a JSON object");
  const Reader r(doc, source);
  if (const json& format = r.key("format"); format != k_checkpoint_format)
    r.fail("format is " + format.dump() + ", expected \"" + k_checkpoint_format + "\"");
  Checkpoint c;
  c.algorithm = r.text("algorithm");
  const json& options = r.key("options");
  if (!options.is_object()) r.fail("options must be an object of strings");
  for (const auto& [name, value] : options.items()) {
    if (!value.is_string()) r.fail("options." + name + " must be a string, got " + value.dump());
    c.options[name] = value.get<std::string>();
  }
  c.network = model_from_json(r.key("model").dump(), source + ": model");
  const long long epoch = r.integer("last_epoch");
  if (epoch > std::numeric_limits<int>::max()) r.fail("last_epoch is too large: " + std::to_string(epoch));
  c.last_epoch = static_cast<int>(epoch);
  c.n_updates_made = static_cast<Index>(r.integer("n_updates_made"));
  const json& errors = r.key("errors");
  if (!errors.is_object() || !errors.contains("train") || !errors.contains("valid"))
    r.fail("errors must be an object with train and valid arrays");
  c.train_errors = r.reals(errors["train"], "errors.train");
  c.valid_errors = r.reals(errors["valid"], "errors.valid");
  if (static_cast<long long>(c.train_errors.size()) != epoch)
    r.fail("errors.train has " + std::to_string(c.train_errors.size()) + " entries for last_epoch " +
           std::to_string(epoch));
  const json& lambda = r.key("adaptive_lambda");
  c.adaptive_lambda = lambda.is_null() ? -1.0 : r.real(lambda, "adaptive_lambda");
  c.shuffle_rng = r.text("shuffle_rng");
  c.train_samples = static_cast<Index>(r.integer("train_samples"));
  c.input_scaling = read_scaling(r, c.network.inputs());
  if (const json& extra = r.key("extra"); !extra.is_null()) c.extra_json = extra.dump();
  return c;
}

void write_checkpoint(const Checkpoint& checkpoint, const std::string& path) {
  const std::string text = checkpoint_to_json(checkpoint);
  write_file_atomically(path, [&text](std::ostream& out) { out << text; });
}

Checkpoint read_checkpoint(const std::string& path) {
  const std::string source = "checkpoint '" + path + "'";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(source + ": cannot open: " + std::strerror(errno));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return checkpoint_from_json(text, source);
}

void save_checkpoint(const Communicator& comm, const Checkpoint& checkpoint, const std::string& path) {
  run_agreed(comm, [&] {
    if (comm.is_root()) write_checkpoint(checkpoint, path);
  });
}

Checkpoint load_checkpoint(const Communicator& comm, const std::string& path) {
  const std::string source = "checkpoint '" + path + "'";
  std::string text;
  run_agreed(comm, [&] {
    if (!comm.is_root()) return;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InvalidArgument(source + ": cannot open: " + std::strerror(errno));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  });
  text = broadcast(comm, text, 0);
  std::optional<Checkpoint> checkpoint;
  run_agreed(comm, [&] { checkpoint = checkpoint_from_json(text, source); });
  return std::move(*checkpoint);
}

}  // namespace hessnet
