#!/usr/bin/env bash
# Record a real Linux VM workload with perf, keep the perf.data and print it
# as `perf script` text for vmreplay's perf readers (see README.md next to this).
#
#   ./capture.sh [-o OUT.perf.txt.gz] [-w forkexec|build|all|churn|coldfile] [-r ROUNDS] [-p PAR]
#                [-f FILES] [-j JOBS] [-s SECONDS] [-M MIB] [-g] [-Z] [-k]
#
# Run as root (tracepoints need it). Needs perf, bash, gzip; build, churn and coldfile need gcc.
set -euo pipefail

out=
workload=all
rounds=24      # fork/exec rounds
par=4          # concurrent pipelines per round
files=6        # generated C files in the build
jobs=2         # make -j
seconds=0.5    # churn: how long its four threads run
mib=32         # coldfile: size of the file read cold through a private mapping
keep=0
gzdata=0
callgraph=0

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "o:w:r:p:f:j:s:M:gZkh" opt; do
  case $opt in
    o) out=$OPTARG ;;
    w) workload=$OPTARG ;;
    r) rounds=$OPTARG ;;
    p) par=$OPTARG ;;
    f) files=$OPTARG ;;
    j) jobs=$OPTARG ;;
    s) seconds=$OPTARG ;;
    M) mib=$OPTARG ;;
    g) callgraph=1 ;;   # record kernel call chains (perf record -g)
    Z) gzdata=1 ;;      # gzip -9 the perf.data when that makes it smaller
    k) keep=1 ;;        # keep the work directory (sources, script errors)
    *) usage ;;
  esac
done
case $workload in
  all) name=linux-forkexec-build ;;
  forkexec|build|churn|coldfile) name=linux-$workload ;;
  *) usage ;;
esac
[ -n "$out" ] || out=$name.perf.txt.gz

die() { echo "capture.sh: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "run as root (tracepoints need it)"
command -v perf >/dev/null || die "perf not found (linux-perf / linux-tools)"
case $workload in
  build|all) { command -v gcc >/dev/null && command -v make >/dev/null; } || die "the build workload needs gcc and make" ;;
  churn|coldfile) command -v gcc >/dev/null || die "the $workload workload needs gcc" ;;
esac

# Tracepoints: fault entry (user and kernel mode, with the x86 error code)
# and the per-mm lock are required, and so are the software events that end
# each fault (minor/major accounting). The rest is context: the syscalls that
# change the address space, the file fault and readahead path, process
# lifetime; one this kernel lacks is skipped with a warning.
required=(
  exceptions:page_fault_user
  exceptions:page_fault_kernel
  mmap_lock:mmap_lock_start_locking
  mmap_lock:mmap_lock_acquire_returned
  mmap_lock:mmap_lock_released
)
optional=()
for x in mmap munmap mprotect mremap brk madvise mlock mlock2 mlockall munlock munlockall pkey_mprotect shmat shmdt; do
  optional+=("syscalls:sys_enter_$x" "syscalls:sys_exit_$x")
done
optional+=(
  filemap:mm_filemap_fault
  readahead:page_cache_sync_ra
  readahead:page_cache_async_ra
  sched:sched_process_fork
  sched:sched_process_exec
  sched:sched_process_exit
)
software=(minor-faults major-faults)

# tracefs: mount it where it is not (a bare /sys/kernel/tracing, or no events
# in it), as perf would need it anyway; fall back to debugfs's copy.
tracefs=/sys/kernel/tracing
if [ -d $tracefs ] && ! [ -d $tracefs/events/exceptions ] && ! grep -q " $tracefs tracefs " /proc/mounts; then
  mount -t tracefs nodev $tracefs || die "cannot mount tracefs on $tracefs"
fi
if ! [ -d $tracefs/events/exceptions ] && [ -d /sys/kernel/debug/tracing/events ]; then
  tracefs=/sys/kernel/debug/tracing
fi
has_tp() { [ -d "$tracefs/events/${1%%:*}/${1#*:}" ]; }
events=()
for e in "${required[@]}"; do
  has_tp "$e" || die "tracepoint $e not available on $(uname -r) (tracefs at $tracefs)"
  events+=("$e")
done
skipped=()
for e in "${optional[@]}"; do
  if has_tp "$e"; then events+=("$e"); else skipped+=("$e"); fi
done
[ ${#skipped[@]} -eq 0 ] || echo "capture.sh: warning: not available on $(uname -r), skipped: ${skipped[*]}" >&2
events+=("${software[@]}")

work=$(mktemp -d /tmp/vmreplay-capture.XXXXXX)
# coldfile needs a disk file system: the page cache is dropped before the run
scratch=$work
if [ "$workload" = coldfile ] && [ "$(stat -f -c %T "$work")" = tmpfs ]; then
  scratch=$(mktemp -d /var/tmp/vmreplay-capture.XXXXXX)
  [ "$(stat -f -c %T "$scratch")" != tmpfs ] || die "coldfile needs a disk file system; /tmp and /var/tmp are tmpfs"
fi
if [ "$keep" -eq 0 ]; then trap 'rm -rf "$work"; [ "$scratch" = "$work" ] || rm -rf "$scratch"' EXIT; fi

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

# churn: four threads in one address space, so that faults race mmap,
# munmap, mprotect, madvise, brk and mremap of the same mm (per-VMA locks and
# their fallbacks to mmap_lock). Each thread has an iteration budget that keeps
# the whole run to some 20k-60k faults, paced over SECONDS.
cat >"$work/churn.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static pthread_barrier_t ready;
static struct timespec t0;
static double run_s;
static long page;
static const char *file_path;
static volatile unsigned long sink;

static double since_start(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
}
/* Spread a thread's ITERS iterations over the run instead of bunching them at the start. */
static void pace(int it, int iters) {
  double due = run_s * (it + 1) / iters, now = since_start();
  if (due > now) {
    struct timespec d = { (time_t)(due - now), (long)(((due - now) - (time_t)(due - now)) * 1e9) };
    nanosleep(&d, NULL);
  }
}
static void read_pages(const char *p, size_t len) { for (size_t o = 0; o < len; o += page) sink += p[o]; }
static void write_pages(char *p, size_t len) { for (size_t o = 0; o < len; o += page) p[o]++; }
static void *must(void *p, const char *what) { if (p == MAP_FAILED) { perror(what); exit(1); } return p; }

/* mmap 64 KiB..1 MiB, read then write every page, mprotect the first half
   read-only and back, drop the second half (MADV_DONTNEED) and touch it again, munmap. */
static void *mapper(void *arg) {
  unsigned seed = (unsigned)(uintptr_t)arg;
  const int iters = 24;
  pthread_barrier_wait(&ready);
  for (int it = 0; it < iters; it++) {
    size_t len = (size_t)(16 + rand_r(&seed) % 241) * page, half = len / 2 / page * page;
    char *p = must(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap");
    read_pages(p, len);
    write_pages(p, len);
    mprotect(p, half, PROT_READ);
    read_pages(p, half);
    mprotect(p, half, PROT_READ | PROT_WRITE);
    write_pages(p, half);
    madvise(p + half, len - half, MADV_DONTNEED);
    read_pages(p + half, len - half);
    write_pages(p + half, len - half);
    munmap(p, len);
    pace(it, iters);
  }
  return NULL;
}

/* A long-lived anonymous region and a long-lived private file mapping: read
   and write (copy-on-write of the file's pages) every page, then drop them
   so that the next pass faults again. */
static void *resident(void *arg) {
  (void)arg;
  const int iters = 12;
  const size_t len = 1 << 20;
  int fd = open(file_path, O_RDONLY);
  if (fd < 0) { perror(file_path); exit(1); }
  char *anon = must(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap anon");
  char *file = must(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), "mmap file");
  pthread_barrier_wait(&ready);
  for (int it = 0; it < iters; it++) {
    read_pages(anon, len);
    write_pages(anon, len);
    read_pages(file, len);
    write_pages(file, len);
    madvise(anon, len, MADV_DONTNEED);
    madvise(file, len, MADV_DONTNEED);
    pace(it, iters);
  }
  munmap(anon, len);
  munmap(file, len);
  close(fd);
  return NULL;
}

/* The heap grown with brk in 64 KiB steps (each step written) and given back;
   a region grown with mremap from 64 KiB to 1 MiB (it may move) and shrunk;
   a few pages locked and unlocked. */
static void *grower(void *arg) {
  (void)arg;
  const int iters = 12;
  const size_t step = 64 << 10;
  pthread_barrier_wait(&ready);
  for (int it = 0; it < iters; it++) {
    char *base = sbrk(0);
    for (int k = 0; k < 8; k++) {
      char *p = sbrk(step);
      if (p == (void *)-1) { perror("sbrk"); exit(1); }
      write_pages(p, step);
    }
    if (brk(base) != 0) { perror("brk"); exit(1); }
    size_t len = step;
    char *r = must(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), "mmap");
    write_pages(r, len);
    while (len < (1 << 20)) {
      r = must(mremap(r, len, len * 2, MREMAP_MAYMOVE), "mremap");
      write_pages(r + len, len);
      read_pages(r, len);
      len *= 2;
    }
    mlock(r, 4 * page);
    munlock(r, 4 * page);
    r = must(mremap(r, len, step, 0), "mremap shrink");
    munmap(r, step);
    pace(it, iters);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: churn SECONDS PRIVATE-FILE (1 MiB)\n"); return 2; }
  run_s = atof(argv[1]);
  file_path = argv[2];
  page = sysconf(_SC_PAGESIZE);
  pthread_t t[4];
  pthread_barrier_init(&ready, NULL, 5);
  pthread_create(&t[0], NULL, mapper, (void *)1);
  pthread_create(&t[1], NULL, mapper, (void *)2);
  pthread_create(&t[2], NULL, resident, NULL);
  pthread_create(&t[3], NULL, grower, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pthread_barrier_wait(&ready);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  return 0;
}
C

# coldfile: a file read cold through a private read-only mapping, one byte a
# page in order (major faults, readahead), then, with the file's pages dropped
# again, pages at random (MADV_RANDOM: a read per fault, no read-around); then a few pages made writable and written
# (copy-on-write of a private file mapping, some of them never read).
cat >"$work/coldfile.c" <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile unsigned long sink;

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: coldfile FILE\n"); return 2; }
  long page = sysconf(_SC_PAGESIZE);
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) { perror(argv[1]); return 1; }
  size_t len = (size_t)st.st_size, pages = len / page;
  char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  for (size_t o = 0; o < len; o += page) sink += p[o];
  munmap(p, len);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

  p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  /* No read-around: each random page is its own read, whatever read_ahead_kb says. */
  madvise(p, len, MADV_RANDOM);
  unsigned seed = 42;
  size_t picked[4];
  for (int i = 0; i < 1024; i++) {
    size_t pg = (size_t)rand_r(&seed) % pages;
    if (i < 4) picked[i] = pg;
    sink += p[pg * page];
  }
  if (mprotect(p, len, PROT_READ | PROT_WRITE) != 0) { perror("mprotect"); return 1; }
  for (int i = 0; i < 4; i++) p[picked[i] * page] ^= 1;                 /* read before: present */
  for (int i = 1; i <= 4; i++) p[len - (size_t)i * 37 * page] ^= 1;    /* maybe never read */
  munmap(p, len);
  close(fd);
  return 0;
}
C

# Build the programs, and make the files, outside the recording.
case $workload in
  churn)
    gcc -O1 -pthread -o "$work/churn" "$work/churn.c"
    head -c 1048576 /dev/urandom >"$work/churn.dat" ;;
  coldfile)
    gcc -O1 -o "$work/coldfile" "$work/coldfile.c"
    head -c $((mib << 20)) /dev/urandom >"$scratch/cold.dat" ;;
esac

{
  echo 'set -e'
  echo "cd '$work'"
  case $workload in
    forkexec|all) echo "bash ./forkexec.sh $rounds $par" ;;
  esac
  case $workload in
    build|all)
      echo "bash ./gen-project.sh '$work/proj' $files"
      echo "make -s -C '$work/proj' -j$jobs >/dev/null"
      echo "'$work/proj/prog' >/dev/null" ;;
    churn) echo "exec '$work/churn' $seconds '$work/churn.dat'" ;;
    coldfile) echo "exec '$work/coldfile' '$scratch/cold.dat'" ;;
  esac
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
# coldfile: every page of the file on disk, none in the page cache.
if [ "$workload" = coldfile ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
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

# -Z: the perf.data gzip -9 beside it (vmreplay reads either), kept only if smaller.
if [ "$gzdata" -eq 1 ]; then
  gzip -9 -c "$data" >"$data.gz"
  if [ "$(stat -c %s "$data.gz")" -lt "$(stat -c %s "$data")" ]; then rm -f "$data"; data=$data.gz; chmod a+r "$data"; else rm -f "$data.gz"; fi
fi

lost=$(zcat -f "$out" | grep -c 'PERF_RECORD_LOST' || true)
[ "$lost" -eq 0 ] || echo "capture.sh: warning: $lost PERF_RECORD_LOST records: raise -m in perf record or shorten the workload" >&2
echo "capture.sh: wrote $out ($(du -h "$out" | cut -f1)) and $data ($(du -h "$data" | cut -f1)); kernel $(uname -r), $(nproc) CPUs, $(perf --version)" >&2
if grep -q . "$work/script.err"; then sed 's/^/perf script: /' "$work/script.err" >&2; fi
