#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests of `git exp run --on slurm` and for a
# developer trying it: installs Debian's slurm-wlm and munge when missing, writes a minimal
# configuration (proctrack/linuxproc, task/none, no cgroup.conf: works in containers), starts
# munged, slurmctld and slurmd, and returns once `sinfo` shows the node idle.
# Idempotent: a cluster that already answers is left as it is. Needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# More CPUs than the machine has: the tests and the bench run dozens of small tasks at once,
# and a task here is a process that mostly waits, not a core.
CPUS="${SLURM_LOCAL_CPUS:-64}"
NODE="$(hostname -s)"
CONF_DIR=/etc/slurm
STATE_DIR=/var/lib/slurm-local
LOG_DIR=/var/log/slurm-local

say() { echo "slurm-local: $*" >&2; }

# Poll `cmd` until it succeeds, at most `seconds`; no fixed sleeps beyond this bound.
wait_for() {
  local seconds="$1"; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.2
  done
}

node_idle() {
  # `sinfo -h -n NODE -o %t` prints idle, mix, alloc, down*, ...; mix/alloc: already in use
  local state
  state="$(sinfo -h -n "$NODE" -o %t 2>/dev/null | head -n1)"
  case "$state" in idle|mix|alloc) return 0 ;; *) return 1 ;; esac
}

CONF="$(cat <<CONF
# Written by scripts/slurm-local.sh: a one-node cluster for tests and trying git-exp.
ClusterName=local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MpiDefault=none
ReturnToService=2
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/d
SlurmctldPidFile=/run/slurmctld-local.pid
SlurmdPidFile=/run/slurmd-local.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Finished jobs stay visible to squeue/scontrol for 5 minutes (claims ask about them).
MinJobAge=300
KillWait=10
# A busy machine (dozens of tasks starting at once on two cores) answers slowly: wait for it
# rather than failing launches ("launch failed requeued held") or marking the node down.
MessageTimeout=60
BatchStartTimeout=120
SlurmdTimeout=600
MaxArraySize=10001
MaxJobCount=100000
# The node's CPU count is the one given here, not the machine's.
SlurmdParameters=config_overrides
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS Sockets=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=1:00:00 State=UP OverSubscribe=NO
PartitionName=short Nodes=$NODE MaxTime=0:10:00 State=UP
CONF
)"

if command -v sinfo >/dev/null 2>&1 && [ "$(cat "$CONF_DIR/slurm.conf" 2>/dev/null || true)" = "$CONF" ] && node_idle; then
  say "cluster already up (node $NODE: $(sinfo -h -n "$NODE" -o %t))"
  exit 0
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v slurmd >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  say "installing slurm-wlm and munge (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt may hold the lock (CI installs other packages): wait for it, bounded.
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# munge: one key shared by the daemons and the clients of this machine.
$SUDO mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
$SUDO chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
$SUDO chmod 0700 /etc/munge
$SUDO chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "starting munged"
  $SUDO runuser -u munge -- /usr/sbin/munged --force
  wait_for 20 sh -c 'munge -n | unmunge' || { say "munged did not start; see /var/log/munge/munged.log"; exit 4; }
fi

$SUDO mkdir -p "$CONF_DIR" "$STATE_DIR/ctld" "$STATE_DIR/d" "$LOG_DIR"
if [ "$(cat "$CONF_DIR/slurm.conf" 2>/dev/null || true)" != "$CONF" ]; then
  printf '%s\n' "$CONF" | $SUDO tee "$CONF_DIR/slurm.conf" >/dev/null
  # A changed configuration needs the daemons started again.
  for pidfile in /run/slurmctld-local.pid /run/slurmd-local.pid; do
    if [ -s "$pidfile" ]; then
      pid="$(cat "$pidfile")"
      $SUDO kill "$pid" 2>/dev/null || true
      wait_for 30 sh -c "! kill -0 $pid" || { say "daemon $pid did not stop"; exit 4; }
    fi
  done
fi

ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
if ! ctld_up; then
  say "starting slurmctld"
  $SUDO /usr/sbin/slurmctld -i
  wait_for 30 ctld_up || { say "slurmctld did not answer; see $LOG_DIR/slurmctld.log"; exit 4; }
fi
if ! { [ -s /run/slurmd-local.pid ] && kill -0 "$(cat /run/slurmd-local.pid)" 2>/dev/null; }; then
  say "starting slurmd"
  $SUDO /usr/sbin/slurmd
fi
if ! wait_for 60 node_idle; then
  # a node left down by an earlier run comes back once its slurmd answers
  $SUDO scontrol update nodename="$NODE" state=resume 2>/dev/null || true
  wait_for 30 node_idle || { say "node $NODE is not idle: $(sinfo -h -n "$NODE" -o '%t %E'); see $LOG_DIR/slurmd.log"; exit 4; }
fi
say "cluster up: node $NODE idle, $CPUS CPUs, partitions $(sinfo -h -o %P | tr '\n' ' ')"
