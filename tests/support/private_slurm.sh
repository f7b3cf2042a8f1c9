# SPDX-License-Identifier: MIT
# Sourced by the Slurm tests in tests/cli (which set `root` to the project root first).

# Exits 0 with a SKIP line unless the tools named (sbatch, slurmctld, ... mpirun) are
# installed and we are root, as the local Slurm requires.
require_local_slurm() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (apt-get install slurm-wlm munge)"; exit 0; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: the local Slurm runs as root"; exit 0; }
}

# start_private_slurm PORT_BASE PORT_SPAN: a fresh $tmp holding a single-node Slurm of our
# own (scripts/local-slurm.sh) on ports PORT_BASE + 2 (PID mod PORT_SPAN), so that a local
# Slurm someone else started, or another test's, is left alone; stopped and removed on exit.
start_private_slurm() {
  tmp="$(mktemp -d)"
  export LOCAL_SLURM_DIR="$tmp/slurm" LOCAL_SLURM_PORT=$(($1 + ($$ % $2) * 2))
  trap 'bash "$root/scripts/local-slurm.sh" stop; rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM  # so that the EXIT trap stops Slurm on ctest's timeout too
  eval "$(bash "$root/scripts/local-slurm.sh" start)"
  # PMIx's per-step directory (/tmp/spmix_appdir_UID_JOB.STEP by default) would be shared
  # with other local Slurms running at the same time, which number their jobs from 1 too.
  export SLURM_PMIX_TMPDIR="$tmp/pmix"
  mkdir -p "$SLURM_PMIX_TMPDIR"
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds, or calls the test's
# fail() after SECONDS.
wait_until() {
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.1
  done
}
