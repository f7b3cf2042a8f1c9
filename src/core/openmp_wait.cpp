// SPDX-License-Identifier: MIT
#include "hessnet/core/openmp_wait.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>

namespace hessnet {

void use_passive_thread_waits(char** argv) {
  const bool omp = std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("GOMP_SPINCOUNT") == nullptr;
  const bool openblas = std::getenv("OPENBLAS_THREAD_TIMEOUT") == nullptr;
  if (!omp && !openblas) return;
  // The path, not /proc/self/exe itself: under a tool such as valgrind only readlink names the program.
  std::array<char, 4096> self{};
  const ssize_t length = readlink("/proc/self/exe", self.data(), self.size() - 1);
  if (length <= 0 || static_cast<std::size_t>(length) >= self.size() - 1) return;
  if (omp && setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  if (openblas && setenv("OPENBLAS_THREAD_TIMEOUT", "16", 1) != 0) return;
  execv(self.data(), argv);  // only returns on failure: then run on, with the spinning waits
}

}  // namespace hessnet
