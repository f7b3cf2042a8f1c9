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

# start_private_slurm PORT_BASE PORT_SPAN [NODES]: a fresh $tmp holding a Slurm of our own
# (scripts/local-slurm.sh) with NODES nodes (default 1: the node `localhost`; more: n1, n2,
# ..., each its own slurmd) on ports PORT_BASE + (NODES + 1) (PID mod PORT_SPAN) and the NODES
# ports above, so that a local Slurm someone else started, or another test's, is left alone;
# stopped and removed on exit, after running the commands in $before_slurm_stop (the test may
# set it, e.g. to end a launcher it started in the background).
start_private_slurm() {
  local nodes="${3:-1}"
  tmp="$(mktemp -d)"
  local slot=$(($$ % $2)) tries
  # A port some other socket holds (a listener, or a connection's local end) would make
  # slurmctld fail to bind: move on to the next free slot.
  for ((tries = 0; tries < $2; tries++)); do
    ports_free $(($1 + slot * (nodes + 1))) "$nodes" && break
    slot=$(((slot + 1) % $2))
  done
  export LOCAL_SLURM_DIR="$tmp/slurm" LOCAL_SLURM_PORT=$(($1 + slot * (nodes + 1))) LOCAL_SLURM_NODES="$nodes"
  trap 'eval "${before_slurm_stop:-}"; bash "$root/scripts/local-slurm.sh" stop; rm -rf "$tmp"' EXIT
  trap 'exit 1' INT TERM  # so that the EXIT trap stops Slurm on Ctrl-C and kill too
  watch_private_slurm
  eval "$(bash "$root/scripts/local-slurm.sh" start)"
  if [ "$nodes" -eq 1 ]; then
    # PMIx's per-step directory (/tmp/spmix_appdir_UID_JOB.STEP by default) would be shared
    # with other local Slurms running at the same time, which number their jobs from 1 too.
    export SLURM_PMIX_TMPDIR="$tmp/pmix"
    mkdir -p "$SLURM_PMIX_TMPDIR"
  else
    # Each node has its own TmpFS in $tmp, where PMIx puts that directory; one
    # SLURM_PMIX_TMPDIR for all would make the nodes' steps share it.
    unset SLURM_PMIX_TMPDIR
  fi
}

# ports_free FIRST COUNT: no TCP socket uses any of the ports FIRST .. FIRST + COUNT.
ports_free() {
  local port
  command -v ss >/dev/null || return 0
  for ((port = $1; port <= $1 + $2; port++)); do
    [ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ] || return 1
  done
}

# ctest ends a test that runs out of time with SIGKILL, to the test and its child processes:
# no trap runs, and the Slurm daemons, no longer our children, would stay. So a detached
# watcher stops this Slurm and removes $tmp once this shell is gone; after a normal exit it
# finds nothing left to do. (It polls once a second.)
watch_private_slurm() {
  local started
  started="$(awk '{ print $22 }' "/proc/$$/stat")"  # start time: the PID alone may be reused
  # shellcheck disable=SC2016  # expanded by the watcher
  (cd / && setsid bash -c '
    while [ "$(awk "{ print \$22 }" "/proc/$1/stat" 2>/dev/null)" = "$2" ]; do sleep 1; done
    if [ -d "$3" ]; then LOCAL_SLURM_DIR="$3/slurm" bash "$4/scripts/local-slurm.sh" stop; rm -rf "$3"; fi
  ' private-slurm-watcher "$$" "$started" "$tmp" "$root" </dev/null >/dev/null 2>&1 &)
}

# slurmd_pid NODE: the PID of that node's slurmd (a Slurm of more than one node).
slurmd_pid() { awk -v n="slurmd-$1" '$1 == n { print $2 }' "$LOCAL_SLURM_DIR/pids"; }

# node_pids NODE: every process of one node of a private multi-node Slurm, as a crash of that
# node would end them: its slurmd, its slurmstepd daemons (known by that node's log file,
# which they keep open) and their children, the job's tasks.
node_pids() {
  local pid log="$LOCAL_SLURM_DIR/slurmd-$1.log"
  slurmd_pid "$1"
  for pid in $(pgrep -x slurmstepd); do
    if readlink "/proc/$pid/fd/"* 2>/dev/null | grep -qxF "$log"; then
      echo "$pid"
      pgrep -P "$pid" || true
    fi
  done
}

# A job this test runs under (it may run inside an allocation) is not a leftover.
outer_job_id="${SLURM_JOB_ID:-}"

# slurm_leftovers: processes still running for jobs of this private Slurm: slurmstepd
# daemons and whatever runs with a SLURM_JOB_ID under it (batch shells, srun, tasks), known by
# its SLURM_CONF in their environment. Zombies, having no environment, do not count.
slurm_leftovers() {
  local file pid
  for file in $(grep -lsaxzF "SLURM_CONF=$LOCAL_SLURM_DIR/slurm.conf" /proc/[0-9]*/environ); do
    pid="${file#/proc/}"
    pid="${pid%/environ}"
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != slurmstepd ]; then
      grep -qsaz '^SLURM_JOB_ID=' "$file" || continue
      ! grep -qsaxzF "SLURM_JOB_ID=${outer_job_id:-none}" "$file" || continue
    fi
    echo "$pid $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-100)"
  done
}
no_slurm_leftovers() { [ -z "$(slurm_leftovers)" ]; }

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
