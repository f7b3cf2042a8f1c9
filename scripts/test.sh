#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds hessnet and runs every test through CTest: unit tests, MPI tests on 1, 2 and 4
# ranks, and end-to-end command-line tests. Extra arguments go to ctest (e.g. -L mpi).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j "$(nproc)" "$@"
