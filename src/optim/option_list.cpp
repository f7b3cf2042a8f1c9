// SPDX-License-Identifier: MIT
#include "hessnet/optim/option_list.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "hessnet/core/error.hpp"
#include "hessnet/core/grid_shape.hpp"

namespace hessnet {
namespace {

std::string regularizer_text(const Regularizer& r) {
  if (!r.active()) return "None";
  const char* kind = r.kind == RegularizerKind::L1 ? "l1" : r.kind == RegularizerKind::L2 ? "l2" : "maxnorm";
  return fmt::format("{}(decay_rate={}{})", kind, r.decay_rate, r.exclude_biases ? "" : ", biases included");
}

std::string callbacks_text(const TrainingCallbacks& s) {
  std::string out;
  const auto add = [&](bool set, const char* name) {
    if (set) out += (out.empty() ? "" : ", ") + std::string(name);
  };
  add(bool(s.train_start), "train_start");
  add(bool(s.epoch_start), "epoch_start");
  add(bool(s.update_start), "update_start");
  add(bool(s.train_error), "train_error");
  add(bool(s.update_end), "update_end");
  add(bool(s.valid_error), "valid_error");
  add(bool(s.epoch_end), "epoch_end");
  add(bool(s.train_end), "train_end");
  return out.empty() ? "None" : out;
}

void require(bool ok, const std::string& message) {
  if (!ok) throw InvalidArgument(message);
}

bool finite_at_least(double value, double low) { return std::isfinite(value) && value >= low; }

/// The options every optimizer has; the loss is resolved here, so a bad name throws. The
/// stop rules are listed only when set (neupy's optimizers have none).
template <class Options>
OptionList common_options(std::string algorithm, const Options& o) {
  require(o.show_epoch >= 1, fmt::format("option show_epoch must be >= 1, got {}", o.show_epoch));
  (void)o.loss.resolve();
  require(!std::isnan(o.goal), "option goal must be a number, got nan");
  require(finite_at_least(o.min_grad, 0),
          fmt::format("option min_grad must be a finite number >= 0, got {}", o.min_grad));
  require(o.max_fail >= 0, fmt::format("option max_fail must be >= 0, got {}", o.max_fail));
  require(finite_at_least(o.time_limit, 0),
          fmt::format("option time_limit must be a finite number of seconds >= 0, got {}", o.time_limit));
  OptionList list{std::move(algorithm), {}};
  list.options = {
      {"loss", o.loss.name(), true},
      {"regularizer", o.regularizer, true},
      {"seed", o.seed, false},
      {"show_epoch", std::int64_t{o.show_epoch}, false},
      {"shuffle_data", o.shuffle_data, true},
      {"signals", callbacks_text(o.signals), false},
      {"verbose", o.verbose, false},
  };
  if (std::isfinite(o.goal)) list.options.push_back({"goal", o.goal, false});
  if (o.min_grad > 0) list.options.push_back({"min_grad", o.min_grad, false});
  if (o.max_fail > 0) list.options.push_back({"max_fail", std::int64_t{o.max_fail}, false});
  if (o.time_limit > 0) list.options.push_back({"time_limit", o.time_limit, false});
  return list;
}

/// Where the curvature matrix lives: a grid that fits the ranks, a block size.
void check_layout(const LayoutOptions& layout, int ranks) {
  require(layout.block_size >= 1, fmt::format("option layout.block_size must be >= 1, got {}", layout.block_size));
  (void)resolve_grid(layout.grid, ranks);
}

void check_damping(const DampingOptions& d) {
  require(std::isfinite(d.factor) && d.factor > 1,
          fmt::format("option damping.factor must be a finite number > 1, got {}", d.factor));
  require(d.max_escalations >= 0,
          fmt::format("option damping.max_escalations must be >= 0, got {}", d.max_escalations));
  require(std::isfinite(d.from_zero) && d.from_zero > 0,
          fmt::format("option damping.from_zero must be a finite number > 0, got {}", d.from_zero));
  require(d.probe_min_order >= 0,
          fmt::format("option damping.probe_min_order must be >= 0, got {}", d.probe_min_order));
}

void add_layout(OptionList& list, const LayoutOptions& layout) {
  list.options.push_back({"grid", layout.grid, false});
  list.options.push_back({"block_size", std::int64_t{layout.block_size}, false});
  // Listed only when set: mixed precision changes steps by rounding only.
  if (layout.precision != Precision::Auto)
    list.options.push_back({"precision", std::string(precision_name(layout.precision)), false});
}

void sort_by_name(OptionList& list) {
  std::sort(list.options.begin(), list.options.end(),
            [](const NamedOption& a, const NamedOption& b) { return a.name < b.name; });
}

}  // namespace

const NamedOption* OptionList::find(const std::string& name) const {
  const auto it = std::find_if(options.begin(), options.end(), [&](const NamedOption& o) { return o.name == name; });
  return it == options.end() ? nullptr : &*it;
}

std::string format_option_value(const OptionValue& value) {
  struct Format {
    std::string operator()(bool v) const { return v ? "True" : "False"; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(std::uint64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const Regularizer& v) const { return regularizer_text(v); }
  };
  return std::visit(Format{}, value);
}

bool same_option_value(const OptionValue& a, const OptionValue& b) {
  // Numbers compare by value whatever their type: JSON reads 5 as unsigned, 5.0 as double.
  const auto number = [](const OptionValue& v) -> std::optional<long double> {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<long double>(*i);
    if (const auto* u = std::get_if<std::uint64_t>(&v)) return static_cast<long double>(*u);
    if (const auto* d = std::get_if<double>(&v)) return static_cast<long double>(*d);
    return std::nullopt;
  };
  const auto x = number(a), y = number(b);
  if (x || y) return x && y && *x == *y;
  return a == b;
}

void check_same_iteration(const OptionList& saved, const OptionList& now) {
  const auto refuse = [](const std::string& what, const std::string& was, const std::string& is) {
    throw InvalidArgument(fmt::format("cannot resume: the checkpoint has {} {}, this run {}", what, was, is));
  };
  if (saved.algorithm != now.algorithm) refuse("optimizer", saved.algorithm, now.algorithm);
  for (const NamedOption& option : now.options) {
    if (!option.changes_iteration) continue;
    const NamedOption* before = saved.find(option.name);
    if (before == nullptr) refuse(option.name + " =", "(unset)", format_option_value(option.value));
    if (!same_option_value(before->value, option.value))
      refuse(option.name + " =", format_option_value(before->value), format_option_value(option.value));
  }
}

OptionList checked_options(const HessianOptions& o, int ranks) {
  require(!o.step.has_value(), fmt::format("Hessian has no step option (got step = {}): the Newton step needs no "
                                           "learning rate; tune penalty_const instead",
                                           o.step.value_or(0)));
  require(finite_at_least(o.penalty_const, 0),
          fmt::format("option penalty_const must be a finite number >= 0, got {}", o.penalty_const));
  check_layout(o.layout, ranks);
  check_damping(o.damping);
  OptionList list = common_options("Hessian", o);
  list.options.push_back({"penalty_const", o.penalty_const, true});
  list.options.push_back({"adaptive", o.adaptive, true});
  add_layout(list, o.layout);
  sort_by_name(list);
  return list;
}

OptionList checked_options(const TrustRegionOptions& o, int ranks) {
  require(std::isfinite(o.initial_radius) && o.initial_radius > 0,
          fmt::format("option initial_radius must be a finite number > 0, got {}", o.initial_radius));
  require(std::isfinite(o.max_radius) && o.max_radius >= o.initial_radius,
          fmt::format("option max_radius must be a finite number >= initial_radius ({}), got {}", o.initial_radius,
                      o.max_radius));
  require(o.eta >= 0 && o.eta < 0.25, fmt::format("option eta must be in [0, 0.25), got {}", o.eta));
  require(o.max_rejections >= 1, fmt::format("option max_rejections must be >= 1, got {}", o.max_rejections));
  check_layout(o.layout, ranks);
  check_damping(o.damping);
  OptionList list = common_options("TrustRegion", o);
  list.options.push_back({"initial_radius", o.initial_radius, true});
  list.options.push_back({"max_radius", o.max_radius, true});
  list.options.push_back({"eta", o.eta, true});
  list.options.push_back({"max_rejections", std::int64_t{o.max_rejections}, true});
  add_layout(list, o.layout);
  sort_by_name(list);
  return list;
}

OptionList checked_options(const LevenbergMarquardtOptions& o, int ranks) {
  require(std::isfinite(o.mu) && o.mu > 0, fmt::format("option mu must be a finite number > 0, got {}", o.mu));
  require(std::isfinite(o.mu_update_factor) && o.mu_update_factor > 1,
          fmt::format("option mu_update_factor must be a finite number > 1, got {}", o.mu_update_factor));
  require(o.mu_max > o.mu, fmt::format("option mu_max must be > mu ({}), got {}", o.mu, o.mu_max));
  check_layout(o.layout, ranks);
  check_damping(o.damping);
  OptionList list = common_options("LevenbergMarquardt", o);
  list.options.push_back({"mu", o.mu, true});
  list.options.push_back({"mu_update_factor", o.mu_update_factor, true});
  list.options.push_back({"mu_max", o.mu_max, true});
  list.options.push_back({"retry", o.retry, true});
  add_layout(list, o.layout);
  sort_by_name(list);
  return list;
}

OptionList checked_options(const HessianDiagonalOptions& o) {
  require(o.min_eigval > 0 && o.min_eigval <= 1,
          fmt::format("option min_eigval must be in (0, 1], got {}", o.min_eigval));
  require(std::isfinite(o.step) && o.step > 0, fmt::format("option step must be a finite number > 0, got {}", o.step));
  OptionList list = common_options("HessianDiagonal", o);
  list.options.push_back({"min_eigval", o.min_eigval, true});
  list.options.push_back({"step", o.step, true});
  sort_by_name(list);
  return list;
}

void check_epochs(int epochs) { require(epochs > 0, fmt::format("epochs must be > 0, got {}", epochs)); }

}  // namespace hessnet
