# Count what a capture holds, from its text in capture.sh's `perf script`
# fields (COMM PID/TID [CPU] TIME: EVENT: PAYLOAD):
#
#   zcat linux-churn.perf.txt.gz | awk -f counts.awk
#   perf script -i linux-churn.perf.data --ns --show-mmap-events --show-task-events --show-lost-events \
#     -F trace:comm,pid,tid,cpu,time,event,trace -F sw:comm,pid,tid,cpu,time,event,addr | awk -f counts.awk
#
# Prints tab-separated counts: events and side-band records by name; mmap_lock
# by read/write and success, and its acquisitions with no start_locking before
# them on the thread (a read one while the thread holds it for writing is
# mmap_write_downgrade); the faults (fault entry tracepoint to the thread's
# minor/major-faults sample) that took mmap_lock, by how.
/^#/ || NF < 4 { next }
{
  tid = ""; ev = ""
  for (i = 1; i <= NF; i++) {
    if (tid == "" && $i ~ /^-?[0-9]+\/[0-9]+$/) { split($i, pt, "/"); tid = pt[2]; continue }
    if (tid == "") continue
    if ($i ~ /^PERF_RECORD_/) { ev = $i; sub(/[(:].*/, "", ev); break }
    if ($i ~ /:$/ && $i !~ /^[0-9.]+:$/) { ev = substr($i, 1, length($i) - 1); break }
  }
  if (ev == "") next
  n[ev]++
  w = ($0 ~ / write=true/) ? "write" : "read"
  if (ev == "exceptions:page_fault_user" || ev == "exceptions:page_fault_kernel") { infault[tid] = 1; how[tid] = "" }
  else if (ev == "minor-faults" || ev == "major-faults") {
    if (infault[tid]) { f["faults ended by their sample"]++; if (how[tid] != "") f["faults that took mmap_lock: " how[tid]]++ }
    infault[tid] = 0
  } else if (ev == "mmap_lock:mmap_lock_start_locking") { m["start_locking " w]++; pending[tid] = 1 }
  else if (ev == "mmap_lock:mmap_lock_acquire_returned") {
    ok = ($0 ~ / success=true/) ? "success" : "failed"
    m["acquire_returned " w " " ok]++
    if (!pending[tid]) m["acquire_returned without start_locking: " w " " ok (held[tid] == "write" && w == "read" ? " (downgrade: thread held it for writing)" : "")]++
    if (infault[tid]) how[tid] = how[tid] (how[tid] == "" ? "" : ", ") (pending[tid] ? "" : "no start ") w " " ok
    pending[tid] = 0
    if (ok == "success") held[tid] = w
  } else if (ev == "mmap_lock:mmap_lock_released") { m["released " w]++; held[tid] = "" }
}
END {
  for (k in n) printf "event\t%s\t%d\n", k, n[k]
  for (k in m) printf "mmap_lock\t%s\t%d\n", k, m[k]
  for (k in f) printf "fault\t%s\t%d\n", k, f[k]
}
