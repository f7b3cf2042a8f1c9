// SPDX-License-Identifier: MIT
#include "hessnet/train/checkpoint.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>
#include <vector>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/json_number.hpp"
#include "hessnet/io/model_file.hpp"

namespace hessnet {
namespace {

using nlohmann::json;

json numbers(const std::vector<double>& values) {
  json out = json::array();
  for (const double v : values) out.push_back(json_number(v));
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
    if (!v.is_string()) fail(name + " must be a string, got " + escaped(v.dump()));
    return v.get<std::string>();
  }
  long long integer(const std::string& name) const {
    const json& v = key(name);
    if (!v.is_number_integer() || v.get<long long>() < 0)
      fail(name + " must be an integer >= 0, got " + escaped(v.dump()));
    return v.get<long long>();
  }
  double real(const json& v, const std::string& where) const {
    try {
      return number_from_json(v, where);
    } catch (const InvalidArgument& e) {
      fail(e.what());
    }
  }
  std::vector<double> reals(const json& v, const std::string& where) const {
    if (!v.is_array()) fail(where + " must be an array of numbers, got " + escaped(v.dump()));
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

const char* regularizer_kind(RegularizerKind kind) {
  switch (kind) {
    case RegularizerKind::L1:
      return "l1";
    case RegularizerKind::L2:
      return "l2";
    case RegularizerKind::MaxNorm:
      return "maxnorm";
    case RegularizerKind::None:
      break;
  }
  return "none";
}

json option_json(const OptionValue& value) {
  struct ToJson {
    json operator()(bool v) const { return v; }
    json operator()(std::int64_t v) const { return v; }
    json operator()(std::uint64_t v) const { return v; }
    json operator()(double v) const { return json_number(v); }
    json operator()(const std::string& v) const { return v; }
    json operator()(const Regularizer& r) const {
      return {{"kind", regularizer_kind(r.kind)},
              {"decay_rate", json_number(r.decay_rate)},
              {"exclude_biases", r.exclude_biases},
              {"exclude_weights", r.exclude_weights}};
    }
  };
  return std::visit(ToJson{}, value);
}

OptionValue option_value(const Reader& r, const json& v, const std::string& where) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("kind") && v["kind"].is_string()) {
    Regularizer reg;
    const std::string kind = v["kind"].get<std::string>();
    try {
      reg = Regularizer::parse(kind);
    } catch (const InvalidArgument& e) {
      r.fail(where + ": " + e.what());
    }
    if (v.contains("decay_rate")) reg.decay_rate = r.real(v["decay_rate"], where + ".decay_rate");
    if (v.contains("exclude_biases") && v["exclude_biases"].is_boolean())
      reg.exclude_biases = v["exclude_biases"].get<bool>();
    if (v.contains("exclude_weights") && v["exclude_weights"].is_boolean())
      reg.exclude_weights = v["exclude_weights"].get<bool>();
    return reg;
  }
  r.fail(where + " must be a boolean, number, string or regularizer object, got " + escaped(v.dump()));
}

json early_stopping_json(const EarlyStopping& e) {
  if (e.epoch == 0) return nullptr;
  return {
      {"epoch", e.epoch}, {"valid", json_number(e.valid)}, {"fails", e.fails}, {"parameters", numbers(e.parameters)}};
}

EarlyStopping read_early_stopping(const Reader& r) {
  const json& v = r.key("early_stopping");
  if (v.is_null()) return {};
  if (!v.is_object() || !v.contains("epoch") || !v["epoch"].is_number_integer() || !v.contains("fails") ||
      !v["fails"].is_number_integer() || !v.contains("valid") || !v.contains("parameters"))
    r.fail("early_stopping must be null or an object with epoch, valid, fails and parameters");
  return EarlyStopping{v["epoch"].get<int>(), r.real(v["valid"], "early_stopping.valid"),
                       r.vector(v["parameters"], "early_stopping.parameters"), v["fails"].get<int>()};
}

json scaling_json(const std::optional<CheckpointScaling>& scaling) {
  if (!scaling) return nullptr;
  return {{"kind", scaling->kind}, {"mean", numbers(scaling->values.mean)}, {"scale", numbers(scaling->values.scale)}};
}

std::optional<CheckpointScaling> read_scaling(const Reader& r, const Index inputs) {
  const json& v = r.key("input_scaling");
  if (v.is_null()) return std::nullopt;
  if (!v.is_object() || !v.contains("kind") || !v["kind"].is_string() || !v.contains("mean") || !v.contains("scale"))
    r.fail("input_scaling must be null or an object with kind, mean and scale");
  CheckpointScaling s{v["kind"].get<std::string>(),
                      {r.vector(v["mean"], "input_scaling.mean"), r.vector(v["scale"], "input_scaling.scale")}};
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
    extra = parse_json(c.extra_json, "checkpoint: the extra document");
  }
  json options = json::object();
  for (const NamedOption& option : c.options.options) options[option.name] = option_json(option.value);
  json rule_state = json::object();
  for (const auto& [name, value] : c.rule_state) rule_state[name] = json_number(value);
  // One key per line, in a fixed order; the values compact (the model is one line).
  const std::vector<std::pair<const char*, json>> fields = {
      {"format", k_checkpoint_format},
      {"algorithm", c.options.algorithm},
      {"architecture", c.network.architecture().to_string()},
      {"options", options},
      {"last_epoch", c.last_epoch},
      {"n_updates_made", static_cast<long long>(c.n_updates_made)},
      {"errors", {{"train", numbers(c.train_errors)}, {"valid", numbers(c.valid_errors)}}},
      {"rule_state", rule_state},
      {"early_stopping", early_stopping_json(c.early_stopping)},
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
  const json doc = parse_json(text, source);
  if (!doc.is_object()) throw InvalidArgument(source + ": the top level must be a JSON object");
  const Reader r(doc, source);
  if (const json& format = r.key("format"); format != k_checkpoint_format)
    r.fail("format is " + escaped(format.dump()) + ", expected \"" + k_checkpoint_format + "\"");
  Checkpoint c;
  c.options.algorithm = r.text("algorithm");
  const json& options = r.key("options");
  if (!options.is_object()) r.fail("options must be an object");
  for (const auto& [name, value] : options.items())
    c.options.options.push_back({name, option_value(r, value, "options." + name), false});
  c.network = model_from_json(r.key("model").dump(), source + ": model");
  // The architecture line is written for readers; an edit that makes it disagree with the
  // model is caught rather than one of them silently winning.
  if (const std::string said = r.text("architecture"); said != c.network.architecture().to_string())
    r.fail("architecture is \"" + escaped(said, 200) + "\" but the model is \"" + c.network.architecture().to_string() +
           "\"");
  const long long epoch = r.integer("last_epoch");
  if (epoch > std::numeric_limits<int>::max()) r.fail("last_epoch is too large: " + std::to_string(epoch));
  c.last_epoch = static_cast<int>(epoch);
  const long long updates = r.integer("n_updates_made");
  if (updates > epoch)  // at most one update per epoch
    r.fail("n_updates_made is " + std::to_string(updates) + ", more than last_epoch " + std::to_string(epoch));
  c.n_updates_made = static_cast<Index>(updates);
  const json& errors = r.key("errors");
  if (!errors.is_object() || !errors.contains("train") || !errors.contains("valid"))
    r.fail("errors must be an object with train and valid arrays");
  c.train_errors = r.reals(errors["train"], "errors.train");
  c.valid_errors = r.reals(errors["valid"], "errors.valid");
  if (static_cast<long long>(c.train_errors.size()) != epoch)
    r.fail("errors.train has " + std::to_string(c.train_errors.size()) + " entries for last_epoch " +
           std::to_string(epoch));
  const json& rule_state = r.key("rule_state");
  if (!rule_state.is_object()) r.fail("rule_state must be an object of numbers");
  for (const auto& [name, value] : rule_state.items()) c.rule_state[name] = r.real(value, "rule_state." + name);
  c.early_stopping = read_early_stopping(r);
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
  return checkpoint_from_json(read_text_file(path, source), source);
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
    text = read_text_file(path, source);
  });
  text = broadcast(comm, text, 0);
  std::optional<Checkpoint> checkpoint;
  run_agreed(comm, [&] { checkpoint = checkpoint_from_json(text, source); });
  return std::move(*checkpoint);
}

}  // namespace hessnet
