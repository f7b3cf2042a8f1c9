// SPDX-License-Identifier: MIT
#include "hessnet/loss/regularizer.hpp"

#include <charconv>
#include <cmath>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

std::string_view kind_name(RegularizerKind kind) {
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

}  // namespace

Regularizer Regularizer::parse(std::string_view text) {
  const std::string original(text);
  Regularizer r;
  if (text.size() > 4 && text.substr(text.size() - 4) == ":all") {
    r.exclude_biases = false;
    text.remove_suffix(4);
  }
  const auto colon = text.find(':');
  const auto name = text.substr(0, colon);
  if (name == "none" && colon == std::string_view::npos) return Regularizer{};
  if (name == "l1")
    r.kind = RegularizerKind::L1;
  else if (name == "l2")
    r.kind = RegularizerKind::L2;
  else if (name == "maxnorm")
    r.kind = RegularizerKind::MaxNorm;
  else
    throw InvalidArgument("unknown regularizer '" + original + "' (l1, l2 or maxnorm, e.g. l2:0.01)");
  if (colon != std::string_view::npos) {
    const auto rate = text.substr(colon + 1);
    if (rate.find(':') != std::string_view::npos)
      throw InvalidArgument("bad regularizer '" + original + "': only ':all' may follow the decay rate");
    const auto [ptr, ec] = std::from_chars(rate.data(), rate.data() + rate.size(), r.decay_rate);
    if (ec != std::errc{} || ptr != rate.data() + rate.size() || !(r.decay_rate >= 0) || !std::isfinite(r.decay_rate))
      throw InvalidArgument("bad decay rate in regularizer '" + original + "' (a number >= 0)");
  }
  return r;
}

std::string Regularizer::to_string() const {
  if (!active()) return "none";
  return std::string(kind_name(kind)) + ":" + std::to_string(decay_rate) + (exclude_biases ? "" : ":all");
}

std::vector<std::pair<Index, Index>> Regularizer::ranges(const Network& net) const {
  std::vector<std::pair<Index, Index>> out;
  if (!active()) return out;
  for (Index m = 1; m <= net.depth(); ++m) {
    const auto& l = net.layout(m);
    const Index weight_end = l.offset + l.fan_in * l.units;
    if (!exclude_weights) out.emplace_back(l.offset, weight_end);
    if (l.bias && !exclude_biases) out.emplace_back(weight_end, weight_end + l.units);
  }
  return out;
}

double Regularizer::value(const Network& net) const {
  double total = 0;
  const Vector& theta = net.parameters();
  for (const auto& [begin, end] : ranges(net)) {
    const auto w = theta.segment(begin, end - begin);
    switch (kind) {
      case RegularizerKind::L1:
        total += w.cwiseAbs().sum();
        break;
      case RegularizerKind::L2:
        total += w.squaredNorm();
        break;
      case RegularizerKind::MaxNorm:
        total += w.cwiseAbs().maxCoeff();
        break;
      case RegularizerKind::None:
        break;
    }
  }
  return decay_rate * total;
}

void Regularizer::add_gradient(const Network& net, Eigen::Ref<Vector> g) const {
  const Vector& theta = net.parameters();
  for (const auto& [begin, end] : ranges(net)) {
    const auto w = theta.segment(begin, end - begin);
    auto gw = g.segment(begin, end - begin);
    switch (kind) {
      case RegularizerKind::L1:
        gw += decay_rate * w.unaryExpr([](double v) { return double((v > 0) - (v < 0)); });
        break;
      case RegularizerKind::L2:
        gw += 2 * decay_rate * w;
        break;
      case RegularizerKind::MaxNorm: {
        Index k = 0;
        w.cwiseAbs().maxCoeff(&k);
        gw[k] += decay_rate * double((w[k] > 0) - (w[k] < 0));
        break;
      }
      case RegularizerKind::None:
        break;
    }
  }
}

void Regularizer::add_hessian_diagonal(const Network& net, Eigen::Ref<Vector> d) const {
  if (kind != RegularizerKind::L2) return;
  for (const auto& [begin, end] : ranges(net)) d.segment(begin, end - begin).array() += 2 * decay_rate;
}

}  // namespace hessnet
