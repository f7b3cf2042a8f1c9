#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures and builds hessnet (Release) into ./build; extra arguments go to CMake. The Python
# package is built for Debian's interpreter, the one install-deps.sh installs NumPy, mpi4py and
# pytest for (the `python3` on PATH may be another).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=/usr/bin/python3 "$@" > "$root/build.log" 2>&1 || { cat "$root/build.log"; exit 1; }
cmake --build "$root/build" -j "$(nproc)" >> "$root/build.log" 2>&1 || { tail -50 "$root/build.log"; exit 1; }
echo "built $root/build/hessnet"
