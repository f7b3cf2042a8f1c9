// SPDX-License-Identifier: MIT
#include "hessnet/optim/options.hpp"

#include "hessnet/core/error.hpp"

namespace hessnet {

Loss LossChoice::resolve() const {
  if (const Loss* loss = std::get_if<Loss>(&choice_)) return *loss;
  const auto& name = std::get<std::string>(choice_);
  try {
    return Loss::named(name);
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("option loss = '" + name + "': " + e.what());
  }
}

std::string LossChoice::name() const {
  if (const Loss* loss = std::get_if<Loss>(&choice_)) return loss->name();
  return std::get<std::string>(choice_);
}

}  // namespace hessnet
