#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python package installed: `cmake --install` into a prefix, then neupy's example trains
# from there (PYTHONPATH=PREFIX/<HESSNET_PYTHON_INSTALL_DIR>) under mpiexec with 2 ranks, and
# the package is the installed one, not the build tree's.
set -euo pipefail
: "${PROJECT_ROOT:?}"
. "$PROJECT_ROOT/tests/support/cli_test.sh"
build=$(dirname "$HESSNET")
grep -q '^HESSNET_PYTHON:BOOL=ON' "$build/CMakeCache.txt" || { echo "SKIP: built without HESSNET_PYTHON"; exit 0; }
site=$(sed -n 's/^HESSNET_PYTHON_INSTALL_DIR:STRING=//p' "$build/CMakeCache.txt")
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
[ -f "$work/prefix/$site/hessnet/__init__.py" ] || fail "no hessnet package in $work/prefix/$site"
ls "$work/prefix/$site/hessnet/"_hessnet*.so > /dev/null || fail "no extension module installed"
cd "$work"
env -u PYTHONPATH PYTHONPATH="$work/prefix/$site" "$MPIEXEC" -np 2 "$PYTHON" -m mpi4py \
  "$PROJECT_ROOT/examples/neupy_doc_example.py" > "$work/run.txt"
grep -q "last_epoch 100 n_updates_made 100" "$work/run.txt" || { cat "$work/run.txt"; fail "the example did not train"; }
env -u PYTHONPATH PYTHONPATH="$work/prefix/$site" "$PYTHON" -c 'import hessnet; print(hessnet.__file__)' \
  | grep -q "^$work/prefix/$site/hessnet/__init__.py$" || fail "imported hessnet from elsewhere"
echo "PASS: installed_python_package"
