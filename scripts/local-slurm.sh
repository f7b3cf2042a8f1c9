#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real single-node Slurm (munged + slurmctld + slurmd from Debian's slurm-wlm and munge)
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
set -euo pipefail

dir="${LOCAL_SLURM_DIR:-${TMPDIR:-/tmp}/hessnet-local-slurm}"
ctld_port="${LOCAL_SLURM_PORT:-6817}"
slurmd_port=$((ctld_port + 1))
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

node_idle() { [ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = "idle" ]; }

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
    # slurmd first, then the controller, munged last.
    for name in slurmd slurmctld munged; do
      pid="$(awk -v n="$name" '$1 == n { print $2 }' <<<"$alive")"
      if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
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
  local hardware memory
  hardware="$(slurmd -C | head -n 1)"
  memory="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hardware")"
  hardware="$(sed -e 's/^NodeName=[^ ]*/NodeName=localhost NodeAddr=127.0.0.1/' \
    -e "s/RealMemory=[0-9]*/RealMemory=$((memory * 95 / 100))/" <<<"$hardware")"
  sed -e "s|@DIR@|$dir|g" -e "s|@CTLD_PORT@|$ctld_port|g" -e "s|@SLURMD_PORT@|$slurmd_port|g" \
    -e "s|@NODE@|$hardware|" "$here/slurm-local/slurm.conf.in" >"$dir/slurm.conf"
  export SLURM_CONF="$dir/slurm.conf"

  launch slurmctld slurmctld -D -i -f "$SLURM_CONF"
  launch slurmd slurmd -D -N localhost -f "$SLURM_CONF"
  if ! wait_for 30 "the node" node_idle; then
    do_stop
    exit 1
  fi
  say "running in $dir (slurmctld port $ctld_port); logs: $dir/*.log"
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
