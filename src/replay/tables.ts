// The tables a replay writes besides `events` (docs/tables.md describes every
// column). Open-ended labels (model, site, reason, outcome, ...) are ids in the
// run's StringTable; closed sets are enums.

import { defineTable } from '../columns/table.js';
import { LockClass, LockMode, MapKind, ObjType } from '../events/vocabulary.js';

// Where columns are NULL (see NullRule): SQL over the same row, and words.
const PER_MAP = "class = 'map'";
const TYPE_UNKNOWN = 'when no event gave the object’s type';
const NO_EVENTS = 'when the file or CPU had no timestamped event';

export const ACQUISITIONS = defineTable('acquisitions', 'One row per lock acquisition per model (spec "Counting")', [
  { name: 'model', kind: 'str', doc: 'locking model' },
  { name: 'op_id', kind: 'i64', doc: 'operation: the fault (faults.op_id) or site event it belongs to' },
  { name: 'op_kind', kind: 'str', doc: 'fault, exec_page, page_grab, load_section, reference, deallocate, shadow, map_split, collapse' },
  { name: 'attempt', kind: 'i16', doc: 'attempt number within the operation (1-based)' },
  { name: 'seq', kind: 'i32', doc: 'order of the acquisition within the operation and model' },
  { name: 'ts', kind: 'ts', doc: 'estimated time of the acquisition (hold-time model, see the report)' },
  { name: 'hold_ns', kind: 'f64', doc: 'estimated time the lock is held (I/O sleeps excluded)' },
  { name: 'cpu', kind: 'i32', doc: 'CPU of the operation' },
  { name: 'tid', kind: 'i32', doc: 'thread' },
  { name: 'pid', kind: 'i32', doc: 'process' },
  { name: 'obj', kind: 'addr', doc: 'VM object (null for the per-map token)', nulls: { always: PER_MAP, doc: 'on per-map token rows' } },
  { name: 'otype', kind: 'enum', enum: ObjType, doc: 'object type', nulls: { always: PER_MAP, may: 'true', doc: `on per-map token rows; ${TYPE_UNKNOWN}` } },
  { name: 'class', kind: 'enum', enum: LockClass, doc: 'token (object token), chain (chain lock) or map (per-map token)' },
  { name: 'mode', kind: 'enum', enum: LockMode, doc: 'S (shared) or X (exclusive)' },
  { name: 'site', kind: 'str', doc: 'kernel function that takes the lock' },
  { name: 'reason', kind: 'str', doc: 'why: first, backing, quick, vnode_pager_lock, upgrade, chain_release, prefault, ...' },
  { name: 'recursive', kind: 'bool', doc: 'the thread already held this lock (recursion)' },
  {
    name: 'inferred',
    kind: 'bool',
    doc: 'the operation rests on inferred events: a site event the reader inferred (its `event` bit), or a DragonFly fault on a Linux capture (objects and chains are the mapping’s); count observed and inferred apart with it',
  },
] as const);

export const WAITS = defineTable('waits', 'Contention estimate: one row per object token acquisition that would have waited', [
  { name: 'model', kind: 'str', doc: 'locking model' },
  { name: 'op_id', kind: 'i64', doc: 'operation of the waiting acquisition (acquisitions.op_id)' },
  { name: 'seq', kind: 'i32', doc: 'the acquisition within it (acquisitions.seq)' },
  { name: 'ts', kind: 'ts', doc: 'when it asked for the token' },
  { name: 'tid', kind: 'i32', doc: 'waiting thread' },
  { name: 'pid', kind: 'i32', doc: 'waiting process' },
  { name: 'obj', kind: 'addr', doc: 'object' },
  { name: 'otype', kind: 'enum', enum: ObjType, doc: 'object type', nulls: { may: 'true', doc: TYPE_UNKNOWN } },
  { name: 'mode', kind: 'enum', enum: LockMode, doc: 'mode asked for' },
  { name: 'site', kind: 'str', doc: 'site asking' },
  { name: 'wait_ns', kind: 'f64', doc: 'until the last conflicting hold ends (first-order: later events are not delayed)' },
  { name: 'holder_tid', kind: 'i32', doc: 'a thread holding it in a conflicting mode' },
  { name: 'holder_mode', kind: 'enum', enum: LockMode, doc: 'that hold’s mode' },
] as const);

export const FAULTS = defineTable('faults', 'One row per fault per model', [
  { name: 'model', kind: 'str', doc: 'locking model' },
  { name: 'op_id', kind: 'i64', doc: 'fault id, the same under every model' },
  { name: 'ts', kind: 'ts', doc: 'fault_begin time' },
  { name: 'ts_end', kind: 'ts', doc: 'fault_end time' },
  { name: 'cpu', kind: 'i32', doc: 'CPU of fault_begin' },
  { name: 'tid', kind: 'i32', doc: 'thread' },
  { name: 'pid', kind: 'i32', doc: 'process' },
  { name: 'comm', kind: 'str', doc: 'command name', nulls: { may: 'true', doc: 'when fault_begin gave no comm' } },
  { name: 'va', kind: 'u64', doc: 'faulting address' },
  { name: 'ftype', kind: 'u32', doc: 'fault type bits R=1 W=2 X=4' },
  { name: 'fflags', kind: 'u32', doc: 'VM_FAULT_* flags' },
  {
    name: 'nthreads',
    kind: 'i32',
    doc: 'threads in the process',
    nulls: { always: 'map_locks IS NOT NULL', doc: 'under a Linux model (a Linux fault carries no thread count)' },
  },
  { name: 'map', kind: 'enum', enum: MapKind, doc: 'user or kernel map' },
  { name: 'first_obj', kind: 'addr', doc: 'first object F' },
  {
    name: 'first_otype',
    kind: 'enum',
    enum: ObjType,
    doc: 'type of F (under a Linux model first_obj is the mm)',
    nulls: { always: 'map_locks IS NOT NULL', doc: 'under a Linux model (the mm has no object type)' },
  },
  { name: 'levels', kind: 'i16', doc: 'object levels the capture examined (deepest attempt)' },
  { name: 'recorded_attempts', kind: 'i16', doc: 'attempts the captured kernel made' },
  { name: 'attempts', kind: 'i16', doc: 'attempts under this model' },
  { name: 'restarts', kind: 'i16', doc: 'recorded retries replayed as restarts (busy, memory, ...)' },
  { name: 'backdowns', kind: 'i16', doc: 'back-downs (B1-B4) under this model' },
  { name: 'b1', kind: 'i16', doc: 'B1: page absent in F while first_shared' },
  { name: 'b2', kind: 'i16', doc: 'B2: page absent in a backing object while shared' },
  { name: 'b3', kind: 'i16', doc: 'B3: invalid page in F while first_shared' },
  { name: 'b4', kind: 'i16', doc: 'B4: invalid page in a backing object while shared' },
  { name: 'upgrades', kind: 'i16', doc: 'S-to-X upgrades (release S, acquire X)' },
  { name: 'x_tokens', kind: 'i32', doc: 'exclusive object token acquisitions' },
  { name: 's_tokens', kind: 'i32', doc: 'shared object token acquisitions' },
  { name: 'x_chain', kind: 'i32', doc: 'exclusive chain lock acquisitions' },
  { name: 's_chain', kind: 'i32', doc: 'shared chain lock acquisitions' },
  { name: 'prefault', kind: 'str', doc: 'burst handling: full (vm_prefault), quick, or null', nulls: { may: 'true', doc: 'when the fault had no burst' } },
  { name: 'outcome', kind: 'str', doc: 'map, cow_copy, readonly, zero_fill, hazard, incomplete' },
  { name: 'found_depth', kind: 'i16', doc: 'depth the page came from under this model (-1 zero fill)' },
  { name: 'hazard', kind: 'bool', doc: 'the model hit a hazard on this fault' },
  { name: 'io', kind: 'bool', doc: 'the model did pager I/O' },
  { name: 'io_ns', kind: 'f64', doc: 'recorded I/O time', nulls: { may: 'true', doc: 'when fault_end gave no io_ns' } },
  { name: 'unknown_links', kind: 'i16', doc: 'chain links the model needed that nobody knew' },
  { name: 'inferred', kind: 'u32', doc: 'bit set of facts filled in by default (docs/events.md)' },
  {
    name: 'map_locks',
    kind: 'i32',
    doc: 'Linux models: mm lock (mmap_lock) acquisitions the model takes in the fault',
    nulls: { may: 'true', doc: 'under a DragonFly model' },
  },
  { name: 'vma_locks', kind: 'i32', doc: 'Linux models: VMA lock acquisitions', nulls: { may: 'true', doc: 'under a DragonFly model' } },
  {
    name: 'observed_map_locks',
    kind: 'i32',
    doc: 'Linux: mm lock acquisitions the captured kernel made in the fault (mmap_lock events of the faulting thread)',
    nulls: { may: 'true', doc: 'under a DragonFly model, or when the capture has no mmap_lock events' },
  },
  {
    name: 'mm_reason',
    kind: 'str',
    doc: 'Linux models: why the fault took the mm lock (every_fault, kernel_mode, no_vma, vma_write_locked, anon_vma_trylock, file_io, ...; docs/models.md)',
    nulls: { may: 'true', doc: 'when it did not, and under a DragonFly model' },
  },
  {
    name: 'vma_kind',
    kind: 'str',
    doc: 'Linux: the kind of VMA the fault hit (anon, file, shared_file, stack, heap, special, shared_anon, none)',
    nulls: { may: 'true', doc: 'under a DragonFly model' },
  },
  {
    name: 'lx_facts',
    kind: 'u32',
    doc: 'Linux: what the reader worked out about the fault (events.lx_facts)',
    nulls: { may: 'true', doc: 'under a DragonFly model' },
  },
] as const);

export const HAZARDS = defineTable('hazards', 'Rules that would deadlock or assert under a model', [
  { name: 'model', kind: 'str', doc: 'locking model' },
  { name: 'op_id', kind: 'i64', doc: 'operation' },
  { name: 'attempt', kind: 'i16', doc: 'attempt' },
  { name: 'ts', kind: 'ts', doc: 'time' },
  { name: 'tid', kind: 'i32', doc: 'thread' },
  { name: 'pid', kind: 'i32', doc: 'process' },
  { name: 'obj', kind: 'addr', doc: 'object' },
  { name: 'otype', kind: 'enum', enum: ObjType, doc: 'object type' },
  { name: 'site', kind: 'str', doc: 'site that asked for the lock' },
  { name: 'kind', kind: 'str', doc: 'token_livelock (X asked while holding S), first_m_shared, ...' },
  { name: 'detail', kind: 'str', doc: 'explanation' },
] as const);

export const BACKDOWNS = defineTable('backdowns', 'One row per back-down per model', [
  { name: 'model', kind: 'str', doc: 'locking model' },
  { name: 'op_id', kind: 'i64', doc: 'operation' },
  { name: 'attempt', kind: 'i16', doc: 'attempt that backed down' },
  { name: 'ts', kind: 'ts', doc: 'time' },
  { name: 'tid', kind: 'i32', doc: 'thread' },
  { name: 'pid', kind: 'i32', doc: 'process' },
  { name: 'rule', kind: 'str', doc: 'B1, B2, B3, B4 or exec_map_page' },
  { name: 'obj', kind: 'addr', doc: 'object where it backed down' },
  { name: 'otype', kind: 'enum', enum: ObjType, doc: 'its type' },
  { name: 'depth', kind: 'i16', doc: 'its level' },
] as const);

export const OBJECTS = defineTable('objects', 'Every VM object the trace named', [
  { name: 'obj', kind: 'addr', doc: 'object address' },
  { name: 'otype', kind: 'enum', enum: ObjType, doc: 'type (last seen)', nulls: { may: 'true', doc: TYPE_UNKNOWN } },
  { name: 'name', kind: 'str', doc: 'vnode path, when the trace named it', nulls: { may: 'true', doc: 'when no obj_name named it' } },
  { name: 'backing_obj', kind: 'addr', doc: 'backing object (last known)', nulls: { may: 'true', doc: 'when none is known' } },
  { name: 'first_ts', kind: 'ts', doc: 'first event naming it' },
  { name: 'last_ts', kind: 'ts', doc: 'last event naming it' },
  { name: 'events', kind: 'i64', doc: 'events naming it' },
  { name: 'faults_first', kind: 'i64', doc: 'faults with it as first object' },
  { name: 'max_ref', kind: 'i32', doc: 'largest ref_count seen', nulls: { may: 'true', doc: 'when no event gave its ref_count' } },
] as const);

export const PROCESSES = defineTable('processes', 'Every process the trace named', [
  { name: 'pid', kind: 'i32', doc: 'process id' },
  { name: 'parent', kind: 'i32', doc: 'parent (proc_fork)', nulls: { may: 'true', doc: 'when its proc_fork is not in the trace' } },
  { name: 'comm', kind: 'str', doc: 'command name (last seen)', nulls: { may: 'true', doc: 'when no event gave it' } },
  { name: 'path', kind: 'str', doc: 'executable (proc_exec)', nulls: { may: 'true', doc: 'when no proc_exec gave it' } },
  { name: 'first_ts', kind: 'ts', doc: 'first event' },
  { name: 'last_ts', kind: 'ts', doc: 'last event' },
  { name: 'exited', kind: 'bool', doc: 'proc_exit seen' },
  { name: 'faults', kind: 'i64', doc: 'faults recorded' },
  { name: 'max_threads', kind: 'i32', doc: 'largest nthreads seen', nulls: { may: 'true', doc: 'when no fault_begin gave nthreads' } },
] as const);

export const INGEST_STATS = defineTable('ingest_stats', 'How every input line was accounted for, per file and CPU (cpu -1: file-level lines)', [
  { name: 'file_index', kind: 'i16', doc: 'input file (events.src_file)' },
  { name: 'path', kind: 'str', doc: 'input path' },
  { name: 'format', kind: 'str', doc: 'framing read' },
  { name: 'cpu', kind: 'i32', doc: 'CPU, -1 for the whole file' },
  { name: 'lines', kind: 'i64', doc: 'lines' },
  { name: 'framing', kind: 'i64', doc: 'header, blank and comment lines (file level)', nulls: { always: 'cpu <> -1', doc: 'on per-CPU rows' } },
  { name: 'events', kind: 'i64', doc: 'lines that became known events' },
  { name: 'context', kind: 'i64', doc: 'stock trace lines kept as context' },
  { name: 'unknown', kind: 'i64', doc: 'unknown events (kept)' },
  { name: 'rejected', kind: 'i64', doc: 'malformed lines' },
  { name: 'derived', kind: 'i64', doc: 'extra events a framing derived from lines counted above (a Linux fault becomes several events)' },
  { name: 'dropped', kind: 'i64', doc: 'events the tracer reported dropped' },
  { name: 'late', kind: 'i64', doc: 'events that arrived after the sort window' },
  { name: 'first_ts', kind: 'ts', doc: 'first timestamp', nulls: { may: 'true', doc: NO_EVENTS } },
  { name: 'last_ts', kind: 'ts', doc: 'last timestamp', nulls: { may: 'true', doc: NO_EVENTS } },
  { name: 'truncated_begin', kind: 'i64', doc: 'faults cut off at the start of the window' },
  { name: 'truncated_end', kind: 'i64', doc: 'faults cut off at the end of the window' },
] as const);

export const INGEST_NOTES = defineTable(
  'ingest_notes',
  'What the readers noted about each input file: how fields were obtained, and what may make figures less exact',
  [
    { name: 'file_index', kind: 'i16', doc: 'input file (ingest_stats.file_index)' },
    { name: 'path', kind: 'str', doc: 'input path' },
    {
      name: 'kind',
      kind: 'str',
      doc: 'note (how fields were obtained: relative clocks, inferred fields, compression, ...) or warning (what may make figures less exact: a missing clock line, records a perf shape lacks, ...)',
    },
    { name: 'text', kind: 'str', doc: 'what the reader said, in its words' },
  ] as const,
);

export const AGREEMENT = defineTable('agreement', 'Model against the lock operations the captured kernel logged (obj_lock)', [
  { name: 'model', kind: 'str', doc: 'locking model' },
  { name: 'site', kind: 'str', doc: 'site (the model’s for matches and model-only, the trace’s for trace-only)' },
  { name: 'matched', kind: 'i64', doc: 'acquisitions both took (same fault, object, class, mode)' },
  { name: 'model_only', kind: 'i64', doc: 'acquisitions only the model took' },
  { name: 'trace_only', kind: 'i64', doc: 'acquisitions only the captured kernel took' },
] as const);

export const REPLAY_TABLES = [ACQUISITIONS, WAITS, FAULTS, HAZARDS, BACKDOWNS, OBJECTS, PROCESSES, INGEST_STATS, INGEST_NOTES, AGREEMENT] as const;
