// SPDX-License-Identifier: MIT
#include "hessnet/train/metrics.hpp"

#include "hessnet/dist/collectives.hpp"

namespace hessnet {

std::optional<Accuracy> shard_accuracy(const Communicator& comm, const Network& net, const Shard& data) {
  const RowMatrix& t = data.local.targets;
  const bool binary = t.cols() == 1 && (t.array() == 0 || t.array() == 1).all();
  if (t.cols() == 1 && !allreduce_and(comm, binary)) return std::nullopt;
  const RowMatrix out = net.predict(data.local.inputs);
  Index correct = 0;
  for (Index s = 0; s < out.rows(); ++s) {
    if (t.cols() == 1) {
      correct += (out(s, 0) >= 0.5) == (t(s, 0) == 1) ? 1 : 0;
      continue;
    }
    Index predicted = 0, expected = 0;
    out.row(s).maxCoeff(&predicted);
    t.row(s).maxCoeff(&expected);
    correct += predicted == expected ? 1 : 0;
  }
  return Accuracy{allreduce_sum(comm, correct), data.total};
}

}  // namespace hessnet
