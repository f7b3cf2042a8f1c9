#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CMake targets are the module boundaries: a module's headers and sources include only
# hessnet headers of its own target or of targets below it, and only the distribution layer
# (and the programs on top: the CLI, the Python binding) includes <mpi.h>.
#   hessnet_kernels: core model loss autodiff io analysis optim   (no MPI)
#   hessnet_dist:    dist                                         (+ kernels)
#   hessnet_train:   solver train                                 (+ dist, kernels)
#   the CLI and the Python binding may include everything.
# Library code never writes to the terminal by itself: only the programs on top do.
set -euo pipefail
root="${PROJECT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
kernels="core model loss autodiff io analysis optim"
allowed_for() {  # the hessnet/<dir> prefixes a module may include
  case " $kernels " in *" $1 "*) echo "$kernels"; return ;; esac
  case $1 in
    dist) echo "$kernels dist" ;;
    solver | train) echo "$kernels dist solver train" ;;
    *) echo "" ;;
  esac
}
bad=0
for dir in include/hessnet/* src/*; do
  [ -d "$dir" ] || continue
  module=$(basename "$dir")
  allowed=$(allowed_for "$module")
  [ -n "$allowed" ] || continue  # cli, python: programs on top of everything
  while IFS=: read -r file line text; do
    included=$(sed -n 's|.*#include *"hessnet/\([a-z_]*\)/.*|\1|p' <<< "$text")
    if [ -n "$included" ] && [[ " $allowed " != *" $included "* ]]; then
      echo "$file:$line: module '$module' includes hessnet/$included/ (allowed: $allowed)"
      bad=1
    fi
    if grep -q '<mpi.h>' <<< "$text" && [ "$module" != dist ]; then
      echo "$file:$line: module '$module' includes <mpi.h>: only the distribution layer talks to MPI"
      bad=1
    fi
  done < <(grep -Hn '^#include' -r "$dir")
done
while IFS= read -r hit; do
  echo "$hit: library code writes to stderr: report through a stream or callback instead"
  bad=1
done < <(grep -HnE '\b(std::cerr|std::clog|stderr|perror)\b' -r include src --include='*.hpp' --include='*.cpp' |
  grep -v '^src/cli/' | grep -vE '^[^:]*:[0-9]+: *//' || true)
[ "$bad" = 0 ] || { echo "FAIL: module boundaries crossed or library code writing to stderr"; exit 1; }
echo "PASS: every module includes only the modules below it, and none writes to stderr"
