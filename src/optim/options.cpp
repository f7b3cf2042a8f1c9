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

Precision parse_precision(const std::string& text) {
  if (text == "auto") return Precision::Auto;
  if (text == "double") return Precision::Double;
  if (text == "mixed") return Precision::Mixed;
  throw InvalidArgument("precision '" + text + "' is none of auto, double, mixed");
}

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::Double:
      return "double";
    case Precision::Mixed:
      return "mixed";
    case Precision::Auto:
      break;
  }
  return "auto";
}

}  // namespace hessnet
