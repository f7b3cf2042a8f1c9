#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hessnet as a library: `cmake --install` the build into a prefix, then a project outside the
# tree (tests/package) does find_package(hessnet) + target_link_libraries(app hessnet::hessnet),
# builds, and trains under mpiexec with 2 ranks.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
build=$(dirname "$HESSNET")
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
[ -f "$work/prefix/lib/cmake/hessnet/hessnetConfig.cmake" ] || fail "no hessnetConfig.cmake installed"
[ -f "$work/prefix/include/hessnet/hessnet.hpp" ] || fail "no hessnet/hessnet.hpp installed"
[ -x "$work/prefix/bin/hessnet" ] || fail "no hessnet program installed"
cmake -S "$PROJECT_ROOT/tests/package" -B "$work/app" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "configuring the user project"; }
cmake --build "$work/app" > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "building the user project"; }
"$MPIEXEC" -np 2 "$work/app/app" | tee "$work/run.txt"
grep -q "ranks 2" "$work/run.txt" || fail "the program did not run on 2 ranks"
echo "PASS: installed_package"
