#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real Slurm (munged + slurmctld + one slurmd per node, from Debian's slurm-wlm and munge)
# on this machine, without systemd, for trying slurm/*.sbatch and for tests. Run as root.
#
#   scripts/local-slurm.sh start    # prints `export SLURM_CONF=...` on stdout (eval it)
#   scripts/local-slurm.sh status   # running daemons, sinfo; exit 1 if not running
#   scripts/local-slurm.sh env      # the export line again
#   scripts/local-slurm.sh stop     # kills exactly the PIDs `start` recorded, removes the dir
#
# Everything (slurm.conf, munge key and socket, state, spool, logs, pids) lives in one
# directory, $LOCAL_SLURM_DIR (default ${TMPDIR:-/tmp}/hessnet-local-slurm). Ports default to
# 6817/6818; set LOCAL_SLURM_PORT to use PORT and PORT+1 (e.g. two instances side by side).
# start and stop are idempotent: start on a running instance only prints the export line,
# stop on a stopped one does nothing.
#
# LOCAL_SLURM_NODES=N (default 1) makes N nodes n1..nN instead of the one node `localhost`:
# N slurmd daemons (`slurmd -N nI`, Slurm's multiple-slurmd mode) on ports PORT+1..PORT+N,
# each with its own spool directory, pid and log file (slurmd-nI.*) and TmpFS ($dir/tmp/nI),
# sharing out this machine's cores and memory (at least one core each). Their PIDs are
# recorded as slurmd-nI, so a test can kill one "node" (see docs/slurm.md).
# LOCAL_SLURM_CONF_EXTRA="KEY=VALUE ..." adds slurm.conf settings, one per word, e.g.
# "SlurmdTimeout=10 KillWait=5" to notice a dead node and kill a job's leftovers sooner.
set -euo pipefail

dir="${LOCAL_SLURM_DIR:-${TMPDIR:-/tmp}/hessnet-local-slurm}"
ctld_port="${LOCAL_SLURM_PORT:-6817}"
slurmd_port=$((ctld_port + 1))
nodes="${LOCAL_SLURM_NODES:-1}"
extra_conf="${LOCAL_SLURM_CONF_EXTRA:-}"
pids_file="$dir/pids"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { echo "local-slurm: $*" >&2; }
die() { say "error: $*"; exit 1; }

# PIDs recorded by start that are still alive (one "name pid" per line).
live_pids() {
  [ -f "$pids_file" ] || return 0
  while read -r name pid; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$name $pid"; fi
  done <"$pids_file"
}

# Runs "$@" in the background with its output in $dir/NAME.out and records its PID.
launch() {
  local name="$1"
  shift
  "$@" </dev/null >"$dir/$name.out" 2>&1 &
  echo "$name $!" >>"$pids_file"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$what did not come up; logs in $dir:"
      tail -n 20 "$dir"/*.log "$dir"/*.out >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
}

# Node names: localhost for a single node, n1..nN for more.
node_names() {
  if [ "$nodes" -eq 1 ]; then echo localhost; else seq -f 'n%g' 1 "$nodes"; fi
}
# All nodes registered and idle.
nodes_idle() {
  [ "$(sinfo -h -N -o %t 2>/dev/null | grep -c '^idle$')" -eq "$nodes" ]
}

hardware_field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }  # hardware_field NAME LINE

print_env() { echo "export SLURM_CONF=$dir/slurm.conf"; }

do_stop() {
  local name pid alive
  alive="$(live_pids)"
  if [ -n "$alive" ]; then
    # Jobs first: a stopping slurmd leaves its slurmstepd processes running (by design).
    if grep -q '^slurmctld ' <<<"$alive" && [ -f "$dir/slurm.conf" ]; then
      local jobs
      jobs="$(SLURM_CONF="$dir/slurm.conf" squeue -h -o %A 2>/dev/null || true)"
      if [ -n "$jobs" ]; then
        say "cancelling jobs $(tr '\n' ' ' <<<"$jobs")"
        # shellcheck disable=SC2086
        SLURM_CONF="$dir/slurm.conf" scancel --quiet $jobs || true
        for _ in $(seq 100); do
          [ -z "$(SLURM_CONF="$dir/slurm.conf" squeue -h 2>/dev/null)" ] && break
          sleep 0.1
        done
      fi
    fi
    # The slurmd daemons first (slurmd, or slurmd-n1 ...), then the controller, munged last.
    for name in slurmd slurmctld munged; do
      for pid in $(awk -v n="$name" '$1 == n || ($1 ~ "^" n "-") { print $2 }' <<<"$alive"); do
        kill -TERM "$pid" 2>/dev/null || true
      done
    done
    for _ in $(seq 50); do
      [ -z "$(live_pids)" ] && break
      sleep 0.1
    done
    while read -r name pid; do
      [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && say "killed $name ($pid) with SIGKILL"
    done < <(live_pids)
    say "stopped"
  fi
  if [ -d "$dir" ]; then rm -rf "$dir"; fi
}

do_start() {
  local tool
  for tool in slurmctld slurmd munged sinfo; do
    command -v "$tool" >/dev/null || die "$tool missing: apt-get install slurm-wlm munge"
  done
  [ "$(id -u)" -eq 0 ] || die "must run as root (SlurmUser=root, munged's key checks)"
  [[ "$nodes" =~ ^[1-9][0-9]*$ ]] || die "LOCAL_SLURM_NODES must be a positive number, not '$nodes'"
  if [ -n "$(live_pids)" ]; then
    say "already running in $dir"
    print_env
    return 0
  fi
  do_stop  # a stale directory from a crashed run
  mkdir -p "$dir"
  chmod 700 "$dir"
  mkdir -m 700 "$dir/state" "$dir/spool"
  : >"$pids_file"

  # munge: own key and socket, so a system munged (if any) is left alone.
  head -c 1024 /dev/urandom >"$dir/munge.key"
  chmod 400 "$dir/munge.key"
  launch munged munged --foreground --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed"
  wait_for 10 munged test -S "$dir/munge.socket" || { do_stop; exit 1; }

  # The node as slurmd sees it, renamed localhost, memory a little below the total.
  local hardware memory node_line per_node="" tmpfs="" nodelist=localhost name
  hardware="$(slurmd -C | head -n 1)"
  memory="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hardware")"
  if [ "$nodes" -eq 1 ]; then
    node_line="$(sed -e 's/^NodeName=[^ ]*/NodeName=localhost NodeAddr=127.0.0.1/' \
      -e "s/RealMemory=[0-9]*/RealMemory=$((memory * 95 / 100))/" <<<"$hardware")"
  else
    # N nodes on this host: each its own port, and a 1/N share of the cores and memory.
    local cores threads share
    threads="$(hardware_field ThreadsPerCore "$hardware")"
    cores=$(($(hardware_field Boards "$hardware") * $(hardware_field SocketsPerBoard "$hardware") *
      $(hardware_field CoresPerSocket "$hardware")))
    share=$((cores / nodes > 0 ? cores / nodes : 1))
    nodelist="n[1-$nodes]"
    node_line="NodeName=$nodelist NodeHostname=localhost NodeAddr=127.0.0.1"
    node_line+=" Port=[$((slurmd_port))-$((slurmd_port + nodes - 1))] CPUs=$((share * threads))"
    node_line+=" Boards=1 SocketsPerBoard=1 CoresPerSocket=$share ThreadsPerCore=$threads"
    node_line+=" RealMemory=$((memory * 95 / 100 / nodes))"
    per_node="-%n"
    # Each node its own TmpFS: PMIx puts its per-step directories there, named by job and
    # step only, so that two nodes' slurmstepd would otherwise share (and remove) them.
    tmpfs="TmpFS=$dir/tmp/%n"
    for name in $(node_names); do mkdir -p "$dir/tmp/$name" "$dir/spool-$name"; done
  fi
  local extra="" word words
  read -ra words <<<"$extra_conf"
  for word in "${words[@]}"; do extra+="${extra:+\\n}$word"; done  # sed makes \n a newline
  # Placeholders are filled in outside comments; the @TMPFS@ and @EXTRA@ lines go when empty.
  sed -e '/^#/b' -e "s|@DIR@|$dir|g" -e "s|@CTLD_PORT@|$ctld_port|g" \
    -e "s|@SLURMD_PORT@|$slurmd_port|g" -e "s|@PER_NODE@|$per_node|g" -e "s|@NODELIST@|$nodelist|g" \
    -e "s|^@TMPFS@\$|$tmpfs|" -e "s|^@EXTRA@\$|$extra|" -e '/^$/d' -e "s|@NODE@|$node_line|" \
    "$here/slurm-local/slurm.conf.in" >"$dir/slurm.conf"
  export SLURM_CONF="$dir/slurm.conf"

  launch slurmctld slurmctld -D -i -f "$SLURM_CONF"
  if [ "$nodes" -eq 1 ]; then
    launch slurmd slurmd -D -N localhost -f "$SLURM_CONF"
  else
    for name in $(node_names); do
      launch "slurmd-$name" slurmd -D -N "$name" -f "$SLURM_CONF"
    done
  fi
  if ! wait_for 30 "the nodes" nodes_idle; then
    do_stop
    exit 1
  fi
  say "running in $dir ($nodes node(s), slurmctld port $ctld_port); logs: $dir/*.log"
  print_env
}

do_status() {
  local alive line
  alive="$(live_pids)"
  if [ -z "$alive" ]; then
    say "not running (no live daemons recorded in $pids_file)"
    return 1
  fi
  say "running in $dir:"
  while read -r line; do echo "  $line"; done <<<"$alive" >&2
  SLURM_CONF="$dir/slurm.conf" sinfo >&2 || true
  print_env
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  env) [ -f "$dir/slurm.conf" ] || die "not started"; print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
