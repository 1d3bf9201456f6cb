#!/usr/bin/env bash
# Record a real fork/exec + parallel build workload with perf, keep the
# perf.data and print it as `perf script` text for vmreplay's perf readers
# (see README.md next to this).
#
#   sudo ./capture.sh [-o OUT.perf.txt.gz] [-w forkexec|build|all] [-r ROUNDS] [-p PAR] [-f FILES] [-j JOBS] [-g] [-k]
#
# Needs root (tracepoints), perf, bash, gzip; the build workload needs gcc and make.
set -euo pipefail

out=linux-forkexec-build.perf.txt.gz
workload=all
rounds=24      # fork/exec rounds
par=4          # concurrent pipelines per round
files=6        # generated C files in the build
jobs=2         # make -j
keep=0

callgraph=0

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "o:w:r:p:f:j:gkh" opt; do
  case $opt in
    o) out=$OPTARG ;;
    w) workload=$OPTARG ;;
    r) rounds=$OPTARG ;;
    p) par=$OPTARG ;;
    f) files=$OPTARG ;;
    j) jobs=$OPTARG ;;
    g) callgraph=1 ;;   # record kernel call chains (perf record -g)
    k) keep=1 ;;   # keep the work directory (sources, script errors)
    *) usage ;;
  esac
done
case $workload in forkexec|build|all) ;; *) usage ;; esac

[ "$(id -u)" -eq 0 ] || { echo "capture.sh: run as root (tracepoints need it)" >&2; exit 2; }
command -v perf >/dev/null || { echo "capture.sh: perf not found (linux-perf / linux-tools)" >&2; exit 2; }
if [ "$workload" != forkexec ]; then
  command -v gcc >/dev/null && command -v make >/dev/null || { echo "capture.sh: the build workload needs gcc and make" >&2; exit 2; }
fi

# Tracepoints: fault entry (user and kernel mode, with the x86 error code),
# the per-mm lock, the file fault path, process lifetime. Software events:
# minor/major fault accounting (one sample per fault, at its end).
events=(
  exceptions:page_fault_user
  exceptions:page_fault_kernel
  mmap_lock:mmap_lock_start_locking
  mmap_lock:mmap_lock_acquire_returned
  mmap_lock:mmap_lock_released
  filemap:mm_filemap_fault
  sched:sched_process_fork
  sched:sched_process_exec
  sched:sched_process_exit
  minor-faults
  major-faults
)
tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || tracefs=/sys/kernel/debug/tracing
for e in "${events[@]}"; do
  case $e in *:*)
    [ -d "$tracefs/events/${e%%:*}/${e#*:}" ] || { echo "capture.sh: tracepoint $e not available on $(uname -r)" >&2; exit 2; } ;;
  esac
done

work=$(mktemp -d /tmp/vmreplay-capture.XXXXXX)
[ "$keep" -eq 1 ] || trap 'rm -rf "$work"' EXIT

# --- the workload, run under perf as one process tree ------------------------
cat >"$work/forkexec.sh" <<'WL'
# Many concurrent short-lived dynamic binaries: pipelines of true, sed, awk.
rounds=$1 par=$2
for r in $(seq "$rounds"); do
  for k in $(seq "$par"); do
    ( /bin/true
      echo "round $r pipe $k" | sed -e 's/round/R/' | awk '{ print $2 + $4 }' >/dev/null
      /bin/sh -c 'exec /bin/true' ) &
  done
  wait
done
WL

cat >"$work/gen-project.sh" <<'WL'
# A small C project: N translation units and a main, built with make -jJ.
dir=$1 n=$2
mkdir -p "$dir"
{ echo '#include <stdio.h>'; for i in $(seq "$n"); do echo "long f$i(long x);"; done; } >"$dir/fns.h"
for i in $(seq "$n"); do
  cat >"$dir/f$i.c" <<C
#include <string.h>
#include "fns.h"
struct rec$i { long a[16]; char name[32]; };
static long mix$i(struct rec$i *r, long x) {
  for (int k = 0; k < 16; k++) r->a[k] = (x * (k + $i)) ^ (r->a[(k + 3) & 15] >> 1);
  memset(r->name, 'a' + ($i % 26), sizeof r->name - 1);
  return r->a[x & 15] + (long)strlen(r->name);
}
long f$i(long x) { struct rec$i r = {{0}}; return mix$i(&r, x) + x * $i; }
C
done
{ echo '#include "fns.h"'; echo 'int main(void) { long s = 0;'
  for i in $(seq "$n"); do echo "  s += f$i($i);"; done
  echo '  printf("%ld\n", s); return 0; }'; } >"$dir/main.c"
objs=$(for i in $(seq "$n"); do printf 'f%s.o ' "$i"; done)
printf 'CFLAGS = -O1\nprog: main.o %s\n\t$(CC) -o $@ $^\n%%.o: %%.c fns.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n' "$objs" >"$dir/Makefile"
WL

{
  echo 'set -e'
  echo "cd '$work'"
  if [ "$workload" != build ]; then echo "bash ./forkexec.sh $rounds $par"; fi
  if [ "$workload" != forkexec ]; then
    echo "bash ./gen-project.sh '$work/proj' $files"
    echo "make -s -C '$work/proj' -j$jobs >/dev/null"
    echo "'$work/proj/prog' >/dev/null"
  fi
} >"$work/run.sh"

# --- record ------------------------------------------------------------------
# -c 1: every event is a sample; -d: data mmaps too (MMAP2 for every mapping,
# with dev:inode) and the fault address of the software events; --sample-cpu:
# the CPU column; -B -N: no build-id work. Large buffers: lost records would
# show as PERF_RECORD_LOST lines and be counted as dropped by the reader.
# -g: kernel call chains (fp), printed under each sample; they name the
# kernel caller of each mmap_lock and filemap event.
eargs=()
for e in "${events[@]}"; do eargs+=(-e "$e"); done
[ "$callgraph" -eq 0 ] || eargs+=(-g)
# The perf.data is kept beside the text: OUT.perf.txt.gz -> OUT.perf.data.
data=${out%.gz}; data=${data%.txt}; data=${data%.perf}.perf.data
perf record -o "$data" -q -c 1 -d --sample-cpu -B -N -m 4096 "${eargs[@]}" -- bash "$work/run.sh"
chmod a+r "$data"

# --- print -----------------------------------------------------------------------
# --ns: nanosecond timestamps; --show-*-events: MMAP2/FORK/COMM/EXIT records
# and lost-event records; per-type fields keep tracepoint lines to their text.
perf script -i "$data" --ns --header \
  --show-mmap-events --show-task-events --show-lost-events \
  -F trace:comm,pid,tid,cpu,time,event,trace \
  -F sw:comm,pid,tid,cpu,time,event,addr \
  2>"$work/script.err" | gzip -9 >"$out"

echo "capture.sh: wrote $out ($(du -h "$out" | cut -f1)) and $data ($(du -h "$data" | cut -f1)); kernel $(uname -r), $(nproc) CPUs, $(perf --version)" >&2
if grep -q . "$work/script.err"; then sed 's/^/perf script: /' "$work/script.err" >&2; fi
