// SPDX-License-Identifier: MIT
#include "hessnet/loss/loss.hpp"

#include <fmt/core.h>

#include <array>
#include <cmath>
#include <utility>

#include "hessnet/core/error.hpp"

namespace hessnet {
namespace {

constexpr double k_clip_eps = 1e-7;  // neupy clips probabilities to [eps, 1 - eps]

// Elementwise pieces l(t, o); the sqrt of rmse/rmsle is applied outside the sample sum.
template <class T>
T squared_error(T t, T o) {
  return (o - t) * (o - t);
}
template <class T>
T absolute_error(T t, T o) {
  return abs(t - o);
}
template <class T>
T squared_log_error(T t, T o) {
  const T d = log(o + T(1.0)) - log(t + T(1.0));
  return d * d;
}
template <class T>
T binary_crossentropy(T t, T o) {
  const T p = clip(o, k_clip_eps, 1 - k_clip_eps);
  return -(t * log(p) + (T(1.0) - t) * log(T(1.0) - p));
}
template <class T>
T crossentropy_term(T t, T o) {
  return -(t * log(clip(o, k_clip_eps, 1 - k_clip_eps)));
}
template <class T>
T binary_hinge(T t, T o) {
  return max(T(0.0), T(1.0) - t * o);
}

template <HyperDual (*F)(HyperDual, HyperDual)>
HyperDual seeded(double t, double o) {
  return F(HyperDual(t), HyperDual::variable(o));
}

struct NamedLoss {
  std::string_view name;
  LossKind kind;
  HyperDual (*element)(double, double);  // null for the categorical hinge
};

constexpr std::array<NamedLoss, 9> k_losses{{
    {"mae", LossKind::Mae, seeded<absolute_error<HyperDual>>},
    {"mse", LossKind::Mse, seeded<squared_error<HyperDual>>},
    {"rmse", LossKind::Rmse, seeded<squared_error<HyperDual>>},
    {"msle", LossKind::Msle, seeded<squared_log_error<HyperDual>>},
    {"rmsle", LossKind::Rmsle, seeded<squared_log_error<HyperDual>>},
    {"binary_crossentropy", LossKind::BinaryCrossentropy, seeded<binary_crossentropy<HyperDual>>},
    {"categorical_crossentropy", LossKind::CategoricalCrossentropy, seeded<crossentropy_term<HyperDual>>},
    {"binary_hinge", LossKind::BinaryHinge, seeded<binary_hinge<HyperDual>>},
    {"categorical_hinge", LossKind::CategoricalHinge, nullptr},
}};

/// neupy: max(0, max_j (1 - t_j) o_j - sum_j t_j o_j + 1); piecewise linear in o.
double categorical_hinge(const double* t, const double* o, Index n, double* gradient) {
  double positive = 0;
  Index arg_negative = 0;
  double negative = (1 - t[0]) * o[0];
  for (Index j = 0; j < n; ++j) {
    positive += t[j] * o[j];
    if ((1 - t[j]) * o[j] > negative) {
      negative = (1 - t[j]) * o[j];
      arg_negative = j;
    }
  }
  const double margin = negative - positive + 1;
  if (gradient) {
    for (Index j = 0; j < n; ++j) gradient[j] = margin > 0 ? -t[j] : 0.0;
    if (margin > 0) gradient[arg_negative] += 1 - t[arg_negative];
  }
  return margin > 0 ? margin : 0.0;
}

}  // namespace

Loss Loss::named(std::string_view name) {
  for (const auto& known : k_losses) {
    if (known.name != name) continue;
    Loss loss(known.kind, std::string(known.name));
    if (known.element) loss.element_ = known.element;
    return loss;
  }
  throw InvalidArgument("unknown loss '" + std::string(name) +
                        "' (known: mae, mse, rmse, msle, rmsle, binary_crossentropy, "
                        "categorical_crossentropy, binary_hinge, categorical_hinge)");
}

double Loss::normalizer(Index samples, Index outputs) const {
  const bool per_sample = kind_ == LossKind::CategoricalCrossentropy || kind_ == LossKind::CategoricalHinge;
  return static_cast<double>(per_sample ? samples : samples * outputs);
}

double Loss::evaluate(const double* t, const double* o, Index n, double* gradient, double* hessian_diagonal) const {
  if (kind_ == LossKind::CategoricalHinge) {
    for (Index j = 0; j < n; ++j) hessian_diagonal[j] = 0;
    return categorical_hinge(t, o, n, gradient);
  }
  double sum = 0;
  for (Index j = 0; j < n; ++j) {
    const HyperDual r = element_(t[j], o[j]);
    sum += r.a;
    gradient[j] = r.b;
    hessian_diagonal[j] = r.d;
  }
  return sum;
}

double Loss::value(const double* t, const double* o, Index n) const {
  if (kind_ == LossKind::CategoricalHinge) return categorical_hinge(t, o, n, nullptr);
  double sum = 0;
  for (Index j = 0; j < n; ++j) sum += element_(t[j], o[j]).a;
  return sum;
}

Loss Loss::batch(ElementwiseBatch f, std::string name) {
  Loss loss(LossKind::Custom, std::move(name));
  loss.batch_ = std::move(f);
  return loss;
}

namespace {

/// Runs a batch loss on (targets, outputs) and checks that it filled every matrix.
void run_batch(const Loss::ElementwiseBatch& f, const std::string& name, ConstRowMatrixRef targets,
               ConstRowMatrixRef outputs, RowMatrix& value, RowMatrix& first, RowMatrix& second) {
  f(targets, outputs, value, first, second);
  for (const RowMatrix* m : {&value, &first, &second})
    if (m->rows() != outputs.rows() || m->cols() != outputs.cols())
      throw InvalidArgument(fmt::format("loss {} gave a {} x {} result for {} x {} outputs", name, m->rows(), m->cols(),
                                        outputs.rows(), outputs.cols()));
}

}  // namespace

Vector Loss::evaluate_rows(ConstRowMatrixRef targets, ConstRowMatrixRef outputs, RowMatrix& gradient,
                           RowMatrix& hessian_diagonal) const {
  const Index samples = outputs.rows(), n = outputs.cols();
  if (batch_) {
    RowMatrix value;
    run_batch(batch_, name_, targets, outputs, value, gradient, hessian_diagonal);
    return value.rowwise().sum();
  }
  gradient.resize(samples, n);
  hessian_diagonal.resize(samples, n);
  Vector values(samples);
  for (Index s = 0; s < samples; ++s)
    values[s] = evaluate(targets.row(s).data(), outputs.row(s).data(), n, gradient.row(s).data(),
                         hessian_diagonal.row(s).data());
  return values;
}

double Loss::sum(ConstRowMatrixRef targets, ConstRowMatrixRef outputs) const {
  double total = 0;
  if (batch_) {
    RowMatrix value, first, second;
    run_batch(batch_, name_, targets, outputs, value, first, second);
    for (Index s = 0; s < value.rows(); ++s) total += value.row(s).sum();
    return total;
  }
  for (Index s = 0; s < outputs.rows(); ++s)
    total += value(targets.row(s).data(), outputs.row(s).data(), outputs.cols());
  return total;
}

double loss_value(const Loss& loss, ConstRowMatrixRef targets, ConstRowMatrixRef outputs) {
  if (targets.rows() != outputs.rows() || targets.cols() != outputs.cols())
    throw DimensionMismatch("targets and predictions differ in shape");
  const double sum = loss.sum(targets, outputs);
  const double mean = sum / loss.normalizer(targets.rows(), targets.cols());
  return loss.is_root() ? std::sqrt(mean) : mean;
}

std::optional<std::string> Loss::target_outside_domain(ConstRowMatrixRef targets, Index first_row) const {
  if (kind_ != LossKind::Msle && kind_ != LossKind::Rmsle) return std::nullopt;
  for (Index r = 0; r < targets.rows(); ++r)
    for (Index c = 0; c < targets.cols(); ++c)
      if (!(targets(r, c) > -1))
        return fmt::format("{} needs targets above -1 (it takes log(1 + t)); row {} (from 0), column {} is {}", name_,
                           first_row + r, c, targets(r, c));
  return std::nullopt;
}

}  // namespace hessnet
