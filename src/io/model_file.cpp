// SPDX-License-Identifier: MIT
#include "hessnet/io/model_file.hpp"

#include <cmath>

#include "hessnet/core/error.hpp"
#include "hessnet/io/atomic_file.hpp"
#include "hessnet/io/json_number.hpp"

namespace hessnet {
namespace {

using nlohmann::json;

/// `source` says where the document came from, e.g. "model file 'net.json'".
[[noreturn]] void bad(const std::string& source, const std::string& message) {
  throw InvalidArgument(source + ": " + message);
}

/// Checked access to the parsed document; every error names the source and a JSON path.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  const json& member(const json& object, const std::string& key, const std::string& where) const {
    if (!object.is_object()) bad(source_, where + " must be a JSON object");
    const auto it = object.find(key);
    if (it == object.end()) bad(source_, "missing key " + (where.empty() ? "" : where + ".") + key);
    return *it;
  }

  Index positive(const json& value, const std::string& where) const {
    if (!value.is_number_integer() || value.get<long long>() <= 0)
      bad(source_, where + " must be a positive integer, got " + escaped(value.dump()));
    return static_cast<Index>(value.get<long long>());
  }

  /// Throws unless `value` is an array of `n` entries.
  void count(const json& value, Index n, const std::string& where) const {
    if (!value.is_array()) bad(source_, where + " must be an array of " + std::to_string(n) + " numbers");
    if (static_cast<Index>(value.size()) != n)
      bad(source_, where + " has " + std::to_string(value.size()) + " entries, expected " + std::to_string(n));
  }

  /// A JSON array of `n` numbers into out[0..n).
  void numbers(const json& value, Index n, double* out, const std::string& where) const {
    count(value, n, where);
    for (Index k = 0; k < n; ++k) {
      const std::string entry = where + "[" + std::to_string(k) + "]";
      const json& x = value[static_cast<std::size_t>(k)];
      try {
        out[k] = number_from_json(x, entry);
      } catch (const InvalidArgument& e) {
        bad(source_, e.what());
      }
      if (!std::isfinite(out[k])) bad(source_, entry + " is not a finite number: " + escaped(x.dump()));
    }
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

std::string file_source(const std::string& path) { return "model file '" + path + "'"; }

std::string dump_row(const double* values, Index n) { return json(std::vector<double>(values, values + n)).dump(); }

}  // namespace

std::string model_to_json(const Network& network, const std::string& what) {
  network.require_finite_parameters("cannot save " + what);
  const Vector& theta = network.parameters();
  std::string text = "{\n  \"format\": \"" + std::string(k_model_format) +
                     "\",\n  \"input\": " + std::to_string(network.inputs()) + ",\n  \"layers\": [";
  for (Index m = 1; m <= network.depth(); ++m) {
    const LayerLayout& l = network.layout(m);
    text += std::string(m > 1 ? "," : "") +
            "\n    {\"type\": " + json(std::string(activation_name(l.activation))).dump() +
            ", \"units\": " + std::to_string(l.units) + ",\n     \"weight\": [";
    for (Index i = 0; i < l.fan_in; ++i)
      text += (i > 0 ? ",\n      " : "\n      ") + dump_row(theta.data() + l.offset + i * l.units, l.units);
    text +=
        "],\n     \"bias\": " + (l.bias ? dump_row(theta.data() + l.offset + l.fan_in * l.units, l.units) : "null") +
        "}";
  }
  text += "\n  ]\n}\n";
  return text;
}

void save_model(const Network& network, const std::string& path) {
  const std::string text = model_to_json(network, "model '" + path + "'");
  write_file_atomically(path, [&text](std::ostream& out) { out << text; });
}

Network load_model(const std::string& path) {
  return model_from_json(read_text_file(path, file_source(path)), file_source(path));
}

Network model_from_json(const std::string& text, const std::string& source) {
  const json doc = parse_json(text, source);
  const Reader r(source);
  if (!doc.is_object()) bad(source, "the top level must be a JSON object");
  const auto format = doc.find("format");
  if (format == doc.end()) bad(source, std::string("missing key format (expected \"") + k_model_format + "\")");
  if (!format->is_string() || format->get<std::string>() != k_model_format)
    bad(source, "format is " + escaped(format->dump()) + ", expected \"" + k_model_format + "\"");
  std::vector<LayerSpec> specs{Input(r.positive(r.member(doc, "input", ""), "input"))};
  const json& layers = r.member(doc, "layers", "");
  if (!layers.is_array() || layers.empty()) bad(source, "layers must be a non-empty array");
  for (std::size_t m = 0; m < layers.size(); ++m) {
    const std::string where = "layers[" + std::to_string(m) + "]";
    const json& type = r.member(layers[m], "type", where);
    if (!type.is_string()) bad(source, where + ".type must be a string, got " + escaped(type.dump()));
    LayerSpec spec;
    try {
      spec.activation = parse_activation(type.get<std::string>());
    } catch (const InvalidArgument& e) {
      bad(source, where + ".type: " + e.what());
    }
    spec.units = r.positive(r.member(layers[m], "units", where), where + ".units");
    spec.bias = !r.member(layers[m], "bias", where).is_null();
    specs.push_back(spec);
  }
  Architecture architecture = [&] {
    try {
      return Architecture(specs);
    } catch (const InvalidArgument& e) {
      bad(source, e.what());
    }
  }();
  // The arrays must have the shapes the layers declare before the parameters are allocated:
  // their size is then bounded by the document's, whatever "input" and "units" claim.
  for (Index m = 1; m <= architecture.depth(); ++m) {
    const LayerSpec& spec = architecture.layer(m);
    const Index fan_in = architecture.layer(m - 1).units;
    const json& layer = layers[static_cast<std::size_t>(m - 1)];
    const std::string where = "layers[" + std::to_string(m - 1) + "]";
    const json& weight = r.member(layer, "weight", where);
    if (!weight.is_array() || static_cast<Index>(weight.size()) != fan_in) {
      const std::string found =
          weight.is_array() ? std::to_string(weight.size()) + " rows" : "type " + std::string(weight.type_name());
      bad(source, where + ".weight must have fan_in = " + std::to_string(fan_in) + " rows of " +
                      std::to_string(spec.units) + " numbers, it has " + found);
    }
    for (Index i = 0; i < fan_in; ++i)
      r.count(weight[static_cast<std::size_t>(i)], spec.units, where + ".weight[" + std::to_string(i) + "]");
    if (spec.bias) r.count(r.member(layer, "bias", where), spec.units, where + ".bias");
  }
  Network network(std::move(architecture));
  double* theta = network.parameters().data();
  for (Index m = 1; m <= network.depth(); ++m) {
    const LayerLayout& l = network.layout(m);
    const json& layer = layers[static_cast<std::size_t>(m - 1)];
    const std::string where = "layers[" + std::to_string(m - 1) + "]";
    const json& weight = r.member(layer, "weight", where);
    for (Index i = 0; i < l.fan_in; ++i)
      r.numbers(weight[static_cast<std::size_t>(i)], l.units, theta + l.offset + i * l.units,
                where + ".weight[" + std::to_string(i) + "]");
    if (l.bias)
      r.numbers(r.member(layer, "bias", where), l.units, theta + l.offset + l.fan_in * l.units, where + ".bias");
  }
  return network;
}

}  // namespace hessnet
