#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian package that building, testing and the helper scripts need.
# Idempotent: apt-get skips what is already there. Run as root (or through sudo).
# Usage: install-deps.sh [--bench] [--fuzz]
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  openmpi-bin libopenmpi-dev
  # OpenBLAS must be named explicitly: ScaLAPACK alone pulls reference BLAS (~20x slower).
  libopenblas-dev liblapack-dev
  libscalapack-openmpi-dev
  libeigen3-dev
  libgtest-dev googletest
  libcli11-dev nlohmann-json3-dev libfmt-dev
  # The formatting check of the test suite.
  clang-format
  python3-numpy python3-matplotlib
  # The Python package: the binding, mpi4py (same Open MPI) and its tests.
  pybind11-dev python3-mpi4py python3-pytest
  # DataFrames as training data: the package's pandas test.
  python3-pandas
  # A real single-node Slurm for the batch-script tests.
  slurm-wlm munge
  # ss, with which the Slurm tests find free ports.
  iproute2
  # The rank-kill test reads the victim's stack to prove the kill lands inside the assembly.
  gdb
)
for option in "$@"; do
  case $option in
    # The PyTorch peer the benchmark suite compares against (large).
    --bench) packages+=(python3-torch python3-scipy python3-sklearn) ;;
    # clang with libFuzzer and the sanitizer runtimes, and its OpenMP, for scripts/fuzz.sh.
    --fuzz) packages+=(clang libclang-rt-14-dev libomp-dev) ;;
    *)
      echo "install-deps: unknown option $option (known: --bench, --fuzz)" >&2
      exit 2
      ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
