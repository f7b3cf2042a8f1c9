// SPDX-License-Identifier: MIT
#pragma once
/// @file Training losses with exact per-sample first and second derivatives.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hessnet/autodiff/hyper_dual.hpp"
#include "hessnet/core/types.hpp"

namespace hessnet {

enum class LossKind {
  Mae,
  Mse,
  Rmse,
  Msle,
  Rmsle,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  BinaryHinge,
  CategoricalHinge,
  Custom
};

/// A loss L(T, O) over S samples with n outputs, in the form
///   L = r( (1/c) sum_s l(t_s, o_s) ),
/// where l is a per-sample sum, c the normalizer (S*n for element means, S for the
/// categorical losses) and r the identity or sqrt (rmse, rmsle). Every built-in l has a
/// diagonal Hessian in o, so per sample the kernel needs l, dl/do and diag(d2l/do2).
class Loss {
 public:
  /// An elementwise loss evaluated on a whole block of samples at once: given targets T and
  /// outputs O (S x n, samples as rows), fills the per-element values l(t, o) and their
  /// exact first and second derivatives in o, each S x n. For losses written in another
  /// language (e.g. a Python function on hyper-dual arrays), called once per block.
  using ElementwiseBatch = std::function<void(ConstRowMatrixRef targets, ConstRowMatrixRef outputs, RowMatrix& value,
                                              RowMatrix& first, RowMatrix& second)>;

  /// mae, mse, rmse, msle, rmsle, binary_crossentropy, categorical_crossentropy,
  /// binary_hinge, categorical_hinge; throws InvalidArgument listing them on anything else.
  static Loss named(std::string_view name);

  /// A custom elementwise loss f(expected, predicted); the loss is its mean over all
  /// elements. f must be callable with double and with HyperDual, e.g. a generic lambda
  /// `[](auto t, auto o) { return (t - o) * (t - o); }`: its derivatives are then exact.
  template <class F>
  static Loss custom(F f, std::string name = "custom") {
    Loss loss(LossKind::Custom, std::move(name));
    loss.element_ = [f](double t, double o) {
      const HyperDual r = f(HyperDual(t), HyperDual::variable(o));
      return r;
    };
    return loss;
  }

  /// A custom elementwise loss given as a batch function (see ElementwiseBatch); the loss is
  /// the mean over all elements, as for Loss::custom. The function may throw; the callers
  /// that are collective agree on that on every rank (DistributedObjective).
  static Loss batch(ElementwiseBatch f, std::string name = "custom");

  LossKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  /// True for rmse and rmsle: the sqrt couples all samples (a rank-one Hessian term).
  bool is_root() const { return kind_ == LossKind::Rmse || kind_ == LossKind::Rmsle; }
  /// c in the formula above.
  double normalizer(Index samples, Index outputs) const;

  /// Per-sample l(t, o) with its gradient and Hessian diagonal in o (each of length n).
  double evaluate(const double* t, const double* o, Index n, double* gradient, double* hessian_diagonal) const;
  /// Per-sample l(t, o) only.
  double value(const double* t, const double* o, Index n) const;

  /// Every row s of (targets, outputs) (S x n) at once: returns l(t_s, o_s) per sample and
  /// sets row s of `gradient` and `hessian_diagonal` (resized to S x n) to its derivatives
  /// in o_s. One call of a batch loss; evaluate() per sample otherwise.
  Vector evaluate_rows(ConstRowMatrixRef targets, ConstRowMatrixRef outputs, RowMatrix& gradient,
                       RowMatrix& hessian_diagonal) const;
  /// The sum over every row s of l(t_s, o_s).
  double sum(ConstRowMatrixRef targets, ConstRowMatrixRef outputs) const;
  /// msle and rmsle take log(1 + t): the first target at or below -1, as "msle needs targets
  /// above -1; row r (from 0), column c is t" with r counted from `first_row`; nothing when
  /// every target is inside the loss's domain (always, for the other losses).
  std::optional<std::string> target_outside_domain(ConstRowMatrixRef targets, Index first_row = 0) const;

 private:
  Loss(LossKind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
  LossKind kind_;
  std::string name_;
  /// Elementwise losses: f(t, o) evaluated at o seeded as a hyper-dual variable.
  std::function<HyperDual(double, double)> element_;
  /// Batch losses: set instead of element_.
  ElementwiseBatch batch_;
};

/// Whole-loss value of predictions O against targets T (both S x n), root included.
double loss_value(const Loss& loss, ConstRowMatrixRef targets, ConstRowMatrixRef outputs);

}  // namespace hessnet
