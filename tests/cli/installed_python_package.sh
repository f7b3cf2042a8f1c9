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
# Every rank prints the example's lines and mpiexec forwards them in arbitrary pieces, so the
# check reads rank 0's own stdout file rather than the merged stream.
env -u PYTHONPATH PYTHONPATH="$work/prefix/$site" "$MPIEXEC" -np 2 --output-filename "$work/out" \
  "$PYTHON" -m mpi4py "$PROJECT_ROOT/examples/neupy_doc_example.py" > "$work/run.txt"
rank0=$(find "$work/out" -path '*rank.0/stdout' | head -n 1)
[ -n "$rank0" ] || { cat "$work/run.txt"; fail "no stdout file for rank 0 under $work/out"; }
grep -q "last_epoch 100 n_updates_made 100" "$rank0" || { cat "$rank0"; fail "the example did not train"; }
env -u PYTHONPATH PYTHONPATH="$work/prefix/$site" "$PYTHON" -c 'import hessnet; print(hessnet.__file__)' \
  | grep -q "^$work/prefix/$site/hessnet/__init__.py$" || fail "imported hessnet from elsewhere"
echo "PASS: installed_python_package"
