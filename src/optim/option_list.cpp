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

/// The options every optimizer has; the loss is resolved here, so a bad name throws.
template <class Options>
OptionList common_options(std::string algorithm, const Options& o) {
  require(o.show_epoch >= 1, fmt::format("option show_epoch must be >= 1, got {}", o.show_epoch));
  (void)o.loss.resolve();
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
  return list;
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
  require(o.layout.block_size >= 1, fmt::format("option layout.block_size must be >= 1, got {}", o.layout.block_size));
  (void)resolve_grid(o.layout.grid, ranks);
  require(finite_at_least(o.damping.factor, 1) && o.damping.factor > 1,
          fmt::format("option damping.factor must be a finite number > 1, got {}", o.damping.factor));
  require(o.damping.max_escalations >= 0,
          fmt::format("option damping.max_escalations must be >= 0, got {}", o.damping.max_escalations));
  require(std::isfinite(o.damping.from_zero) && o.damping.from_zero > 0,
          fmt::format("option damping.from_zero must be a finite number > 0, got {}", o.damping.from_zero));
  OptionList list = common_options("Hessian", o);
  list.options.push_back({"penalty_const", o.penalty_const, true});
  list.options.push_back({"adaptive", o.adaptive, true});
  list.options.push_back({"grid", o.layout.grid, false});
  list.options.push_back({"block_size", std::int64_t{o.layout.block_size}, false});
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
