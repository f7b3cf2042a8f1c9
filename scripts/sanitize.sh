#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds hessnet with AddressSanitizer and UndefinedBehaviorSanitizer (Debug, into
# ./build-asan) and runs the unit and MPI test suites under them. Any sanitizer report fails
# the test that triggered it. Open MPI's own never-freed allocations are suppressed
# (tests/sanitizers/lsan.supp); leaks in hessnet are still reported.
# Usage: sanitize.sh [-j N] [ctest arguments...]   (default: -L 'unit|mpi')
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-asan"
jobs=$(nproc)
if [ "${1:-}" = "-j" ]; then
  jobs=$2
  shift 2
fi
flags="-fsanitize=address,undefined -fno-omit-frame-pointer"
start=$(date +%s)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DHESSNET_PYTHON=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" \
  > "$root/build-asan.log" 2>&1 || { cat "$root/build-asan.log"; exit 1; }
cmake --build "$build" -j "$jobs" >> "$root/build-asan.log" 2>&1 || { tail -50 "$root/build-asan.log"; exit 1; }
built=$(date +%s)
echo "sanitize: built $build in $((built - start)) s"

# Full unwinding at malloc, and Open MPI's plugins left loaded at MPI_Finalize: otherwise their
# leaks have "<unknown module>" stacks that no suppression matches.
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
export OMPI_MCA_mca_base_component_disable_dlclose=1
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
if [ $# -eq 0 ]; then set -- -L 'unit|mpi'; fi
status=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@" || status=$?
echo "sanitize: tests took $(($(date +%s) - built)) s"
exit "$status"
