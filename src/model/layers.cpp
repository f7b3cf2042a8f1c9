// SPDX-License-Identifier: MIT
#include "hessnet/model/layers.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

LayerSpec dense(Activation a, Index units, bool bias) {
  HESSNET_CHECK(units > 0, "a layer needs at least one unit, got " + std::to_string(units));
  return LayerSpec{false, a, units, bias};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Index parse_units(std::string_view text, std::string_view layer) {
  Index value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value <= 0)
    throw InvalidArgument("bad unit count " + quoted(text) + " in layer " + quoted(layer));
  return value;
}

/// One token such as `Sigmoid(32)` or `Linear(3, bias=false)`.
LayerSpec parse_layer(std::string_view token) {
  token = trim(token);
  const auto open = token.find('(');
  if (open == std::string_view::npos || token.back() != ')')
    throw InvalidArgument("bad layer " + quoted(token) + ": expected Name(units)");
  const auto name = trim(token.substr(0, open));
  auto args = token.substr(open + 1, token.size() - open - 2);
  bool bias = true;
  if (const auto comma = args.find(','); comma != std::string_view::npos) {
    auto option = trim(args.substr(comma + 1));
    args = args.substr(0, comma);
    if (option == "bias=false" || option == "bias=False")
      bias = false;
    else if (option != "bias=true" && option != "bias=True")
      throw InvalidArgument("bad option " + quoted(option) + " in layer " + quoted(token) + " (only bias=true|false)");
  }
  const Index units = parse_units(trim(args), token);
  if (name == "Input") return Input(units);
  return dense(parse_activation(name), units, bias);
}

}  // namespace

Architecture::Architecture(std::initializer_list<LayerSpec> layers) : Architecture(std::vector<LayerSpec>(layers)) {}

Architecture::Architecture(std::vector<LayerSpec> layers) : layers_(std::move(layers)) { validate(); }

void Architecture::validate() const {
  if (layers_.size() < 2 || !layers_.front().is_input)
    throw InvalidArgument("a network is an Input layer followed by at least one layer");
  for (std::size_t m = 1; m < layers_.size(); ++m) {
    if (layers_[m].is_input) throw InvalidArgument("a network has exactly one Input layer, first");
    // Softmax couples its units; hessnet's exact Hessian treats that only at the output.
    if (layers_[m].activation == Activation::Softmax && m + 1 != layers_.size())
      throw InvalidArgument("Softmax is supported only as the output layer");
    if (layers_[m].activation == Activation::Softmax && layers_[m].units == 1)  // gradient and Hessian are 0
      throw InvalidArgument("Softmax(1) outputs 1 whatever its input, so nothing trains: use Sigmoid(1)");
  }
  // Counted in double so that absurd unit counts cannot overflow before they are refused.
  double params = 0;
  for (std::size_t m = 1; m < layers_.size(); ++m)
    params += (static_cast<double>(layers_[m - 1].units) + 1) * static_cast<double>(layers_[m].units);
  if (params > 0x1p40) {
    char count[32];
    std::snprintf(count, sizeof count, "%.3g", params);
    throw InvalidArgument(std::string("a network of ") + count + " parameters is too large");
  }
}

std::string Architecture::to_string() const {
  std::string out;
  for (const auto& layer : layers_) {
    if (!out.empty()) out += " >> ";
    out += layer.is_input ? std::string("Input") : std::string(activation_name(layer.activation));
    out += "(" + std::to_string(layer.units);
    if (!layer.is_input && !layer.bias) out += ", bias=false";
    out += ")";
  }
  return out;
}

Architecture operator>>(Architecture net, const LayerSpec& next) {
  net.layers_.push_back(next);
  net.validate();
  return net;
}

Architecture operator>>(const LayerSpec& first, const LayerSpec& second) { return Architecture{first, second}; }

Architecture parse_architecture(std::string_view text) {
  auto body = trim(text);
  std::string_view separator = ">>";
  if (!body.empty() && body.front() == '[') {
    if (body.back() != ']') throw InvalidArgument("network list " + quoted(text) + " lacks ']'");
    body = body.substr(1, body.size() - 2);
    separator = "),";  // split after each closing parenthesis
  }
  std::vector<LayerSpec> layers;
  while (!trim(body).empty()) {
    auto cut = body.find(separator);
    const bool list_form = separator == "),";
    std::string_view token = body.substr(0, cut == std::string_view::npos ? body.size() : cut + (list_form ? 1 : 0));
    layers.push_back(parse_layer(token));
    if (cut == std::string_view::npos) break;
    body = body.substr(cut + 2);
    if (!list_form && trim(body).empty()) throw InvalidArgument("bad network " + quoted(text) + ": it ends with '>>'");
  }
  try {
    return Architecture(std::move(layers));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("bad network " + quoted(text) + ": " + e.what());
  }
}

LayerSpec Input(Index units) {
  HESSNET_CHECK(units > 0, "Input needs at least one unit, got " + std::to_string(units));
  return LayerSpec{true, Activation::Linear, units, false};
}
LayerSpec Linear(Index units, bool bias) { return dense(Activation::Linear, units, bias); }
LayerSpec Sigmoid(Index units, bool bias) { return dense(Activation::Sigmoid, units, bias); }
LayerSpec Tanh(Index units, bool bias) { return dense(Activation::Tanh, units, bias); }
LayerSpec Relu(Index units, bool bias) { return dense(Activation::Relu, units, bias); }
LayerSpec LeakyRelu(Index units, bool bias) { return dense(Activation::LeakyRelu, units, bias); }
LayerSpec Elu(Index units, bool bias) { return dense(Activation::Elu, units, bias); }
LayerSpec Softplus(Index units, bool bias) { return dense(Activation::Softplus, units, bias); }
LayerSpec Softmax(Index units, bool bias) { return dense(Activation::Softmax, units, bias); }
LayerSpec HardSigmoid(Index units, bool bias) { return dense(Activation::HardSigmoid, units, bias); }

}  // namespace hessnet
