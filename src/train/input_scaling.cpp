// SPDX-License-Identifier: MIT
#include "hessnet/train/input_scaling.hpp"

#include <cmath>

#include "hessnet/core/error.hpp"
#include "hessnet/dist/collectives.hpp"

namespace hessnet {
namespace {

/// Rewrites the first layer: W <- diag(row_factor) W, b <- b + W_new^T shift.
Network rewrite_first_layer(const Network& net, const Vector& row_factor, const Vector& shift) {
  const auto& l = net.layout(1);
  if (!l.bias && shift.cwiseAbs().maxCoeff() > 0)
    throw InvalidArgument("standardizing inputs needs a bias in the first layer");
  Vector theta = net.parameters();
  // Row-major weight: row i (input i) is theta[offset + i*units, +units).
  Eigen::Map<RowMatrix> w(theta.data() + l.offset, l.fan_in, l.units);
  w = row_factor.asDiagonal() * w;
  if (l.bias) {
    Eigen::Map<Vector> b(theta.data() + l.offset + l.fan_in * l.units, l.units);
    b += w.transpose() * shift;
  }
  Network out = net;
  out.set_parameters(theta);
  return out;
}

}  // namespace

ScalingKind parse_scaling_kind(const std::string& text) {
  if (text == "standard") return ScalingKind::Standard;
  if (text == "maxabs") return ScalingKind::MaxAbs;
  throw InvalidArgument("unknown input scaling '" + text + "' (standard or maxabs)");
}

InputScaling InputScaling::of_training_data(const Communicator& comm, const Shard& shard, ScalingKind kind) {
  const RowMatrix& x = shard.local.inputs;
  if (kind == ScalingKind::MaxAbs) {
    InputScaling s{Vector::Zero(x.cols()), Vector(x.cols())};
    for (Index k = 0; k < x.cols(); ++k) {
      const double largest = allreduce_max(comm, x.rows() > 0 ? x.col(k).cwiseAbs().maxCoeff() : 0.0);
      s.scale[k] = largest > 0 ? largest : 1.0;
    }
    return s;
  }
  // In units of each column's largest magnitude, so that sums of squares of values near
  // 1e200 (or sums of values near 1e308) do not overflow.
  Vector unit(x.cols());
  for (Index k = 0; k < x.cols(); ++k) {
    const double largest = allreduce_max(comm, x.rows() > 0 ? x.col(k).cwiseAbs().maxCoeff() : 0.0);
    unit[k] = largest > 0 ? largest : 1.0;
  }
  const RowMatrix in_units = (x.array().rowwise() / unit.transpose().array()).matrix();  // 1/unit may overflow
  Vector sum = in_units.colwise().sum().transpose();
  allreduce_sum(comm, sum);
  const Vector mean_in_units = sum / static_cast<double>(shard.total);
  Vector squares = (in_units.rowwise() - mean_in_units.transpose()).colwise().squaredNorm().transpose();
  allreduce_sum(comm, squares);
  InputScaling s;
  s.mean = mean_in_units.cwiseProduct(unit);
  s.scale = (squares / static_cast<double>(shard.total)).cwiseSqrt().cwiseProduct(unit);
  for (Index k = 0; k < s.scale.size(); ++k)
    if (!(s.scale[k] > 0)) s.scale[k] = 1.0;  // a constant column: only centre it
  return s;
}

void InputScaling::apply(RowMatrix& inputs) const {
  inputs = (inputs.rowwise() - mean.transpose()).array().rowwise() / scale.transpose().array();
}

Network InputScaling::for_scaled_inputs(const Network& raw) const {
  // z = W^T x + b with x = scale * x' + mean: W' = diag(scale) W, b' = b + W^T mean.
  const Network scaled_weights = rewrite_first_layer(raw, scale, Vector::Zero(mean.size()));
  Network scaled = rewrite_first_layer(scaled_weights, Vector::Ones(mean.size()), mean.cwiseQuotient(scale));
  scaled.require_finite_parameters("--scale-inputs: the first layer, rewritten for scaled inputs, overflows");
  return scaled;
}

Network InputScaling::for_raw_inputs(const Network& scaled) const {
  // z = W'^T (x - mean) / scale + b': W = diag(1/scale) W', b = b' - W^T mean.
  return rewrite_first_layer(scaled, scale.cwiseInverse(), -mean);
}

}  // namespace hessnet
