// SPDX-License-Identifier: MIT
#include "hessnet/model/activation.hpp"

#include <array>
#include <cmath>
#include <utility>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

constexpr std::array<std::pair<Activation, std::string_view>, 9> k_names{{
    {Activation::Linear, "Linear"},
    {Activation::Sigmoid, "Sigmoid"},
    {Activation::Tanh, "Tanh"},
    {Activation::Relu, "Relu"},
    {Activation::LeakyRelu, "LeakyRelu"},
    {Activation::Elu, "Elu"},
    {Activation::Softplus, "Softplus"},
    {Activation::Softmax, "Softmax"},
    {Activation::HardSigmoid, "HardSigmoid"},
}};

constexpr double k_leaky_alpha = 0.01;  // neupy's LeakyRelu default
constexpr double k_elu_alpha = 1.0;     // neupy's Elu default

double sigmoid(double z) {
  // Split on the sign so that exp never overflows.
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

std::string_view activation_name(Activation a) {
  for (const auto& [value, name] : k_names)
    if (value == a) return name;
  return "?";
}

Activation parse_activation(std::string_view name) {
  for (const auto& [value, known] : k_names)
    if (known == name) return value;
  throw InvalidArgument("unknown layer type " + quoted(name) +
                        " (known: Input, Linear, Sigmoid, Tanh, Relu, LeakyRelu, Elu, "
                        "Softplus, Softmax, HardSigmoid)");
}

ActivationDerivatives activate(Activation a, double z) {
  switch (a) {
    case Activation::Linear:
      return {z, 1.0, 0.0};
    case Activation::Sigmoid: {
      const double s = sigmoid(z);
      return {s, s * (1 - s), s * (1 - s) * (1 - 2 * s)};
    }
    case Activation::Tanh: {
      const double t = std::tanh(z);
      return {t, 1 - t * t, -2 * t * (1 - t * t)};
    }
    case Activation::Relu:  // derivative 0 at the kink, as TensorFlow takes it
      return z > 0 ? ActivationDerivatives{z, 1.0, 0.0} : ActivationDerivatives{0.0, 0.0, 0.0};
    case Activation::LeakyRelu:
      return z > 0 ? ActivationDerivatives{z, 1.0, 0.0} : ActivationDerivatives{k_leaky_alpha * z, k_leaky_alpha, 0.0};
    case Activation::Elu: {
      if (z > 0) return {z, 1.0, 0.0};
      const double e = k_elu_alpha * std::exp(z);
      return {e - k_elu_alpha, e, e};
    }
    case Activation::Softplus: {
      // log(1 + e^z) computed without overflow; its derivatives are sigmoid and sigmoid'.
      const double s = sigmoid(z);
      const double value = z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
      return {value, s, s * (1 - s)};
    }
    case Activation::HardSigmoid: {
      // clip(0.2 z + 0.5, 0, 1), the Keras/TensorFlow definition neupy uses.
      const double y = 0.2 * z + 0.5;
      if (y <= 0) return {0.0, 0.0, 0.0};
      if (y >= 1) return {1.0, 0.0, 0.0};
      return {y, 0.2, 0.0};
    }
    case Activation::Softmax:
      break;
  }
  throw Error("activate: Softmax is not elementwise");
}

double activate_value(Activation a, double z) { return activate(a, z).value; }

}  // namespace hessnet
