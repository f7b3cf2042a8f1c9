// SPDX-License-Identifier: MIT
#include "commands.hpp"
namespace hessnet::cli {
void add_train_command(CLI::App&, Context&) {}
void add_predict_command(CLI::App&, Context&) {}
}  // namespace hessnet::cli
