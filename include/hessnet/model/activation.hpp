// SPDX-License-Identifier: MIT
#pragma once
/// @file Elementwise activations with exact first and second derivatives.
#include <string>
#include <string_view>

namespace hessnet {

enum class Activation { Linear, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Softplus, Softmax, HardSigmoid };

/// Canonical layer name ("Sigmoid", "LeakyRelu", ...), as written in network strings and model files.
std::string_view activation_name(Activation a);
/// Inverse of activation_name; throws InvalidArgument naming the unknown text.
Activation parse_activation(std::string_view name);

/// phi(z), phi'(z), phi''(z) for one element. Softmax is not elementwise and is handled by
/// the caller; asking for it here is a bug.
struct ActivationDerivatives {
  double value, first, second;
};
ActivationDerivatives activate(Activation a, double z);

/// Fast value-only path for forward passes over whole matrices.
double activate_value(Activation a, double z);

}  // namespace hessnet
