// SPDX-License-Identifier: MIT
#include "trainer.hpp"

#include <mpi.h>
#include <pybind11/stl.h>

#include "hessnet/dist/agreement.hpp"
#include "hessnet/dist/collectives.hpp"
#include "hessnet/dist/thread_placement.hpp"
#include "hessnet/optim/option_list.hpp"
#include "hessnet/train/hessian.hpp"
#include "hessnet/train/hessian_diagonal.hpp"

namespace hessnet::python {
namespace {

/// One keyword option: its name and how it sets a field of an options struct.
template <class Options>
struct Field {
  std::string name;
  std::function<void(Options&, const py::handle&)> set;
};

/// A field set from a Python value of the member's own type.
template <class Options, class T>
Field<Options> field(std::string name, T Options::*member) {
  return {std::move(name), [member](Options& o, const py::handle& v) { o.*member = py::cast<T>(v); }};
}

/// The options every optimizer has (optimizer.hpp's Settings), and the stop rules of the
/// options structs that have them.
template <class Options>
std::vector<Field<Options>> common_fields() {
  std::vector<Field<Options>> f = {
      field("show_epoch", &Options::show_epoch),
      field("shuffle_data", &Options::shuffle_data),
      field("seed", &Options::seed),
      field("verbose", &Options::verbose),
      {"regularizer",
       [](Options& o, const py::handle& v) { o.regularizer = regularizer_of(py::reinterpret_borrow<py::object>(v)); }},
  };
  if constexpr (requires { &Options::goal; }) f.push_back(field("goal", &Options::goal));
  if constexpr (requires { &Options::min_grad; }) f.push_back(field("min_grad", &Options::min_grad));
  if constexpr (requires { &Options::max_fail; }) f.push_back(field("max_fail", &Options::max_fail));
  if constexpr (requires { &Options::time_limit; }) f.push_back(field("time_limit", &Options::time_limit));
  return f;
}

/// The checked default options of an algorithm, on one rank.
template <class Options>
OptionList default_options() {
  if constexpr (requires { checked_options(Options{}, 1); })
    return checked_options(Options{}, 1);
  else
    return checked_options(Options{});
}

/// Adds algorithm `name` (a C++ optimizer and its options struct) with its own keyword
/// options `own`; the common ones, `loss` and the stop rules come with it.
template <class Optimizer_, class Options>
void add(std::map<std::string, Algorithm>& table, const std::string& name, std::vector<Field<Options>> own) {
  std::vector<Field<Options>> fields = common_fields<Options>();
  fields.insert(fields.end(), own.begin(), own.end());
  Algorithm a;
  a.options.push_back("loss");
  for (const auto& f : fields) a.options.push_back(f.name);
  a.defaults = default_options<Options>;
  a.make = [fields](TrainerSpec& spec) -> std::unique_ptr<Optimizer> {
    Options o;
    for (const auto& f : fields)
      if (spec.options.contains(f.name)) f.set(o, spec.options[f.name.c_str()]);
    if (spec.options.contains("loss")) o.loss = loss_of(spec.options["loss"], py::cast<std::string>(spec.loss_name));
    o.signals = std::move(spec.signals);
    o.output = spec.output;
    return std::make_unique<Optimizer_>(network_of(spec.layers, spec.parameters, o.seed), std::move(o), spec.comm);
  };
  table.emplace(name, std::move(a));
}

/// This rank's block of a sharded data set: rows [first, first + rows) of the total.
Shard own_rows(const Communicator& comm, const Array& x, const Array& y) {
  const auto xs = matrix_view(x), ys = matrix_view(y);
  std::int64_t rows = xs.rows(), first = 0;
  MPI_Exscan(&rows, &first, 1, MPI_INT64_T, MPI_SUM, comm.get());
  if (comm.is_root()) first = 0;
  return Shard{Dataset{RowMatrix(xs), RowMatrix(ys)}, first, allreduce_sum(comm, Index{rows})};
}

}  // namespace

const std::map<std::string, Algorithm>& algorithms() {
  static const std::map<std::string, Algorithm> table = [] {
    std::map<std::string, Algorithm> t;
    // One entry per C++ optimizer: its neupy name and its own options (the common ones are
    // added by `add`). A new optimizer is one more entry here and one in algorithms.py.
    add<Hessian, HessianOptions>(
        t, "Hessian",
        {field("penalty_const", &HessianOptions::penalty_const),
         field("adaptive", &HessianOptions::adaptive),
         field("log_curvature", &HessianOptions::log_curvature),
         {"grid", [](HessianOptions& o, const py::handle& v) { o.layout.grid = py::cast<std::string>(v); }},
         {"block_size", [](HessianOptions& o, const py::handle& v) { o.layout.block_size = py::cast<Index>(v); }}});
    add<TrustRegion, TrustRegionOptions>(
        t, "TrustRegion",
        {field("initial_radius", &TrustRegionOptions::initial_radius),
         field("max_radius", &TrustRegionOptions::max_radius),
         field("eta", &TrustRegionOptions::eta),
         field("max_rejections", &TrustRegionOptions::max_rejections),
         field("log_curvature", &TrustRegionOptions::log_curvature),
         {"grid", [](TrustRegionOptions& o, const py::handle& v) { o.layout.grid = py::cast<std::string>(v); }},
         {"block_size", [](TrustRegionOptions& o, const py::handle& v) { o.layout.block_size = py::cast<Index>(v); }}});
    add<LevenbergMarquardt, LevenbergMarquardtOptions>(
        t, "LevenbergMarquardt",
        {field("mu", &LevenbergMarquardtOptions::mu),
         field("mu_update_factor", &LevenbergMarquardtOptions::mu_update_factor),
         field("mu_max", &LevenbergMarquardtOptions::mu_max),
         field("retry", &LevenbergMarquardtOptions::retry),
         {"grid", [](LevenbergMarquardtOptions& o, const py::handle& v) { o.layout.grid = py::cast<std::string>(v); }},
         {"block_size",
          [](LevenbergMarquardtOptions& o, const py::handle& v) { o.layout.block_size = py::cast<Index>(v); }}});
    add<HessianDiagonal, HessianDiagonalOptions>(
        t, "HessianDiagonal",
        {field("min_eigval", &HessianDiagonalOptions::min_eigval), field("step", &HessianDiagonalOptions::step),
         field("chunk_bytes", &HessianDiagonalOptions::chunk_bytes)});
    return t;
  }();
  return table;
}

Trainer::Trainer(const std::string& algorithm, py::list layers, py::object parameters, py::dict options,
                 py::object comm, py::object dispatch, std::vector<std::string> events)
    : stdout_buffer_(std::make_unique<PythonStdout>()), stdout_(std::make_unique<std::ostream>(stdout_buffer_.get())) {
  const auto found = algorithms().find(algorithm);
  if (found == algorithms().end()) throw InvalidArgument("this build of hessnet has no algorithm " + algorithm);
  TrainerSpec spec{std::move(layers),     std::move(parameters),          std::move(options), py::none(),
                   communicator_of(comm), callbacks_of(dispatch, events), stdout_.get()};
  spec.loss_name = spec.options.contains("loss_name") ? spec.options["loss_name"] : py::str("custom");
  collective(spec.comm, [&] {
    place_blas_threads(spec.comm);  // as the CLI does: ranks x BLAS threads fit the cores
    // Building the network and the loss is local; agree on it before the constructor's collectives.
    run_agreed(spec.comm, [&] { (void)architecture_of(spec.layers); });
    optimizer_ = found->second.make(spec);
  });
}

void Trainer::train(const Array& x, const Array& y, const py::object& x_test, const py::object& y_test, int epochs,
                    bool sharded) {
  const Communicator& comm = optimizer_->communicator();
  const bool test = !x_test.is_none();
  collective(comm, [&] {
    if (!sharded) {
      if (test)
        optimizer_->train(matrix_view(x), matrix_view(y), matrix_view(py::cast<Array>(x_test)),
                          matrix_view(py::cast<Array>(y_test)), epochs);
      else
        optimizer_->train(matrix_view(x), matrix_view(y), epochs);
      return;
    }
    Shard train_rows = own_rows(comm, x, y);
    if (test)
      optimizer_->train(std::move(train_rows), own_rows(comm, py::cast<Array>(x_test), py::cast<Array>(y_test)),
                        epochs);
    else
      optimizer_->train(std::move(train_rows), epochs);
  });
}

py::array_t<double> Trainer::predict(const Array& x) const {
  return to_numpy(optimizer_->network().predict(matrix_view(x)));
}

void Trainer::set_parameters(const Array& theta) {
  collective(optimizer_->communicator(), [&] {
    optimizer_->set_parameters(Eigen::Map<const Vector>(theta.data(), static_cast<Index>(theta.size())));
  });
}

double Trainer::score(const Array& x, const Array& y, bool sharded) const {
  const Communicator& comm = optimizer_->communicator();
  double value = 0;
  collective(comm, [&] {
    value = sharded ? optimizer_->score(own_rows(comm, x, y)) : optimizer_->score(matrix_view(x), matrix_view(y));
  });
  return value;
}

py::dict Trainer::options() const {
  py::dict out;
  for (const NamedOption& o : optimizer_->options_list().options) out[o.name.c_str()] = option_value(o.value);
  return out;
}

void Trainer::save_checkpoint(const std::string& path) const {
  collective(optimizer_->communicator(), [&] { optimizer_->save_checkpoint(path); });
}

void Trainer::restore_checkpoint(const std::string& path) {
  collective(optimizer_->communicator(), [&] { optimizer_->restore_checkpoint(path); });
}

py::object option_value(const OptionValue& value) {
  struct Visit {
    py::object operator()(bool v) const { return py::bool_(v); }
    py::object operator()(std::int64_t v) const { return py::int_(v); }
    py::object operator()(std::uint64_t v) const { return py::int_(v); }
    py::object operator()(double v) const { return py::float_(v); }
    py::object operator()(const std::string& v) const { return py::str(v); }
    py::object operator()(const Regularizer& v) const {
      if (!v.active()) return py::none();
      const char* kind = v.kind == RegularizerKind::L1 ? "l1" : v.kind == RegularizerKind::L2 ? "l2" : "maxnorm";
      return py::make_tuple(kind, v.decay_rate, v.exclude_biases, v.exclude_weights);
    }
  };
  return std::visit(Visit{}, value);
}

}  // namespace hessnet::python
