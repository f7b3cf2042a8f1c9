// SPDX-License-Identifier: MIT
#include "hessnet/model/network.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "hessnet/core/error.hpp"
#include "hessnet/core/random.hpp"

namespace hessnet {

Network::Network(Architecture architecture) : architecture_(std::move(architecture)) {
  Index offset = 0;
  for (Index m = 1; m <= architecture_.depth(); ++m) {
    const auto& spec = architecture_.layer(m);
    LayerLayout layout{offset, architecture_.layer(m - 1).units, spec.units, spec.bias, spec.activation};
    offset += layout.size();
    layouts_.push_back(layout);
  }
  parameters_ = Vector::Zero(offset);
}

Network Network::he_normal(Architecture architecture, std::uint64_t seed) {
  Network net(std::move(architecture));
  Random rng(seed);
  for (const auto& layout : net.layouts_) {
    const double std_dev = std::sqrt(2.0 / static_cast<double>(layout.fan_in));
    for (Index k = 0; k < layout.fan_in * layout.units; ++k)
      net.parameters_[layout.offset + k] = std_dev * rng.normal();
  }
  return net;
}

Index Network::layer_of(Index p) const {
  HESSNET_CHECK(p >= 0 && p < n_params(), "parameter index out of range");
  const auto it =
      std::upper_bound(layouts_.begin(), layouts_.end(), p, [](Index v, const LayerLayout& l) { return v < l.offset; });
  return static_cast<Index>(it - layouts_.begin());
}

void Network::require_finite_parameters(const std::string& what) const {
  for (Index p = 0; p < parameters_.size(); ++p)
    if (!std::isfinite(parameters_[p]))
      throw InvalidArgument(what + ": parameter " + std::to_string(p) + " (layer " + std::to_string(layer_of(p)) +
                            ") is " + std::to_string(parameters_[p]));
}

void Network::set_parameters(const Vector& theta) {
  if (theta.size() != n_params())
    throw DimensionMismatch("network " + architecture_.to_string() + " has " + std::to_string(n_params()) +
                            " parameters, got " + std::to_string(theta.size()));
  parameters_ = theta;
}

Eigen::Map<const Matrix> Network::weight_transposed(Index m) const {
  const auto& l = layout(m);
  return {parameters_.data() + l.offset, l.units, l.fan_in};
}

Eigen::Map<const Vector> Network::bias(Index m) const {
  const auto& l = layout(m);
  return {parameters_.data() + l.offset + l.fan_in * l.units, l.bias ? l.units : 0};
}

void apply_activation(Activation a, Eigen::Ref<Matrix> z) {
  if (a == Activation::Softmax) {
    for (Index s = 0; s < z.cols(); ++s) {
      auto col = z.col(s);
      col.array() = (col.array() - col.maxCoeff()).exp();  // shift: exp never overflows
      col /= col.sum();
    }
    return;
  }
  if (a == Activation::Linear) return;
  z = z.unaryExpr([a](double v) { return activate_value(a, v); });
}

RowMatrix Network::predict(ConstRowMatrixRef inputs) const {
  if (inputs.cols() != this->inputs())
    throw DimensionMismatch("the network takes " + std::to_string(this->inputs()) +
                            " inputs per sample, the data has " + std::to_string(inputs.cols()));
  // A row-major S x n matrix is a column-major n x S one: one sample per column.
  Matrix a = Eigen::Map<const Matrix>(inputs.data(), inputs.cols(), inputs.rows());
  for (Index m = 1; m <= depth(); ++m) {
    Matrix z = weight_transposed(m) * a;
    if (layout(m).bias) z.colwise() += bias(m);
    apply_activation(layout(m).activation, z);
    a = std::move(z);
  }
  return Eigen::Map<const RowMatrix>(a.data(), a.cols(), a.rows());
}

}  // namespace hessnet
