#!/bin/sh
# Runs a command (and everything it starts) with a dedicated CPU slice, like a Fargate task size on
# a machine shared with other work: a cgroup v1 `cpu` group with CFS quota = <vCPUs> × period and a
# high cpu.shares, removed afterwards. Needs root and the cgroup v1 cpu controller.
# Usage: bench/support/with-cpus.sh <vCPUs> <command> [args…]
# e.g.   bench/support/with-cpus.sh 2 npx tsx bench/cold-path.ts 3
set -eu
cpus="$1"; shift
root=/sys/fs/cgroup/cpu
[ -w "$root/cgroup.procs" ] || { echo "needs root and the cgroup v1 cpu controller at $root" >&2; exit 2; }
group="$root/bench-cpus-$$"
mkdir "$group"
trap 'rmdir "$group" 2>/dev/null || true' EXIT
echo 100000 > "$group/cpu.cfs_period_us"
awk -v c="$cpus" 'BEGIN { printf "%d\n", c * 100000 }' > "$group/cpu.cfs_quota_us"
echo 262144 > "$group/cpu.shares"
# A subshell joins the group and runs the command; this shell stays outside to remove the group.
sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$group" "$@"
