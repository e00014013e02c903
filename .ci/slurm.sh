#!/usr/bin/env bash
# A throwaway single-node SLURM cluster on this machine, for the cluster-sweep test.
#
#   .ci/slurm.sh start DIR [--install]   # prints `export SLURM_CONF=...` (and the partition)
#   .ci/slurm.sh stop DIR
#
# start: (with --install, first installs Debian's slurmctld, slurmd, slurm-client and munge
# when they are missing), writes a config in DIR (one node: this host, all its cores and
# memory; partition `debug`; no accounting, no cgroups: proctrack/linuxproc, task/none),
# starts munged on a socket in DIR, then slurmctld and slurmd, and waits until the node is
# idle. Clients (sbatch, squeue, submitit) find the cluster through SLURM_CONF. Needs root
# (slurmd starts jobs as their user). stop: stops the three daemons started in DIR.
set -euo pipefail

cmd=${1:?usage: slurm.sh start|stop DIR [--install]}
dir=${2:?usage: slurm.sh start|stop DIR [--install]}

stop_pid() {
    [ -f "$1" ] && kill "$(cat "$1")" 2> /dev/null || true
}

if [ "$cmd" = stop ]; then
    stop_pid "$dir/slurmd.pid"
    stop_pid "$dir/slurmctld.pid"
    stop_pid "$dir/munged.pid"
    exit 0
fi

if [ "$(id -u)" != 0 ]; then
    echo "slurm.sh: needs root (slurmd runs jobs as their user)" >&2
    exit 3
fi
if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null || ! command -v sbatch > /dev/null; then
    if [ "${3:-}" = --install ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq > /dev/null
        apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge > /dev/null
    else
        echo "slurm.sh: no SLURM (slurmctld, slurmd, sbatch) or munge found; rerun with --install" >&2
        exit 3
    fi
fi
# The Debian packages start their own daemons (systemd) where they can; this cluster is ours.
for service in slurmd slurmctld munge; do
    command -v systemctl > /dev/null && systemctl stop "$service" 2> /dev/null || true
done

mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
free_port() { python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)

dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed"

cat > "$dir/slurm.conf" << EOF
ClusterName=explore-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
    state=$(sinfo -h -N -o %t 2> /dev/null | head -n 1 || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
if [ "$state" != idle ]; then
    echo "slurm.sh: the node did not come up (state '${state:-none}'); see $dir/slurmctld.log and $dir/slurmd.log" >&2
    exit 4
fi
echo "export SLURM_CONF=$SLURM_CONF"
echo "export EXPLORE_TEST_SLURM_PARTITION=debug"
