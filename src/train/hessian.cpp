// SPDX-License-Identifier: MIT
#include "hessnet/train/hessian.hpp"

#include <fmt/core.h>

#include <cmath>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/block_cyclic.hpp"

namespace hessnet {

Optimizer::Settings Hessian::settings_for(const HessianOptions& o, const Communicator& comm) {
  std::optional<Settings> settings;
  run_agreed(comm, [&] {
    if (o.step)
      throw InvalidArgument(fmt::format("Hessian has no step option (got step = {}): the Newton step needs no "
                                        "learning rate; tune penalty_const instead",
                                        *o.step));
    if (!(o.penalty_const >= 0) || !std::isfinite(o.penalty_const))
      throw InvalidArgument(fmt::format("option penalty_const must be a finite number >= 0, got {}", o.penalty_const));
    check_show_epoch(o.show_epoch);
    if (o.engine.block_size < 1)
      throw InvalidArgument(fmt::format("option engine.block_size must be >= 1, got {}", o.engine.block_size));
    resolve_grid(o.engine.grid, comm.size());  // throws on a malformed or mismatched grid
    settings = common_settings("Hessian", o);
    settings->options.emplace_back("penalty_const", fmt::format("{}", o.penalty_const));
    settings->options.emplace_back("adaptive", o.adaptive || o.engine.adaptive ? "True" : "False");
    settings->options.emplace_back("grid", o.engine.grid);
    settings->options.emplace_back("block_size", std::to_string(o.engine.block_size));
  });
  return std::move(*settings);
}

Hessian::Hessian(const Architecture& architecture, HessianOptions options, const Communicator& comm)
    : Hessian(Network::he_normal(architecture, options.seed), options, comm) {}

Hessian::Hessian(Network network, HessianOptions options, const Communicator& comm)
    : Optimizer(std::move(network), settings_for(options, comm), comm), options_(std::move(options)) {
  EngineOptions engine = options_.engine;
  engine.adaptive = engine.adaptive || options_.adaptive;
  engine_ = std::make_unique<NewtonEngine>(communicator(), net_.n_params(), engine,
                                           [this](const std::string& line) { say("[ENGINE] " + line); });
}

Hessian::~Hessian() = default;

UpdateReport Hessian::update(const Shard& shard) {
  return engine_->update(net_, loss(), regularizer(), shard, options_.penalty_const);
}

}  // namespace hessnet
