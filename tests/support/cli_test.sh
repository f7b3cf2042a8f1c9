# SPDX-License-Identifier: MIT
# Sourced by the CLI tests in tests/cli: the binary and project root CTest passes, the
# launcher, the bundled data, a scratch directory $work removed on exit, and fail().
: "${HESSNET:?path of the hessnet binary}" "${PROJECT_ROOT:?}" "${PYTHON:=/usr/bin/python3}"
MPIEXEC=${MPIEXEC:-mpiexec}
data=$PROJECT_ROOT/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
