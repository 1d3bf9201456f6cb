// The canonical event table: one row per trace event, every framing reduced to
// the same typed columns. docs/events.md describes each column.

import { ColumnBatch, defineTable } from '../columns/table.js';
import { CollapseCase, EventKind, FaultAction, LockClass, LockMode, LockOp, MapKind, MapType, ObjType, PagerAnswer, PageState, VmaKind } from './vocabulary.js';

export const EVENTS = defineTable('events', 'Canonical trace events, in time order', [
  { name: 'ts', kind: 'ts', doc: 'event time in nanoseconds' },
  { name: 'cpu', kind: 'i32', doc: 'CPU that logged the event' },
  { name: 'src_file', kind: 'i16', doc: 'index of the input file (ingest_stats.file_index)' },
  { name: 'src_line', kind: 'i64', doc: 'line number in that file (1-based)' },
  { name: 'kind', kind: 'enum', enum: EventKind, doc: 'event kind; `context` for stock trace lines, `unknown` for unknown names' },
  { name: 'name', kind: 'str', doc: 'event name as written in the trace' },
  { name: 'tid', kind: 'i32', doc: 'thread id' },
  { name: 'pid', kind: 'i32', doc: 'process id' },
  { name: 'va', kind: 'u64', doc: 'faulting virtual address (fault_begin)' },
  { name: 'ftype', kind: 'u32', doc: 'fault type bits: R=1, W=2, X=4' },
  { name: 'fflags', kind: 'u32', doc: 'VM_FAULT_* flags (fault_begin)' },
  { name: 'nthreads', kind: 'i32', doc: 'threads in the faulting process' },
  { name: 'map', kind: 'enum', enum: MapKind, doc: 'user or kernel map' },
  { name: 'maptype', kind: 'enum', enum: MapType, doc: 'map entry type' },
  { name: 'wired', kind: 'bool', doc: 'map entry is wired' },
  { name: 'comm', kind: 'str', doc: 'command name' },
  { name: 'depth', kind: 'i16', doc: 'object level (fault_obj: 0 = first object; fault_end: where the page came from, -1 = zero fill)' },
  { name: 'obj', kind: 'addr', doc: 'VM object address' },
  { name: 'otype', kind: 'enum', enum: ObjType, doc: 'type of obj' },
  { name: 'page', kind: 'enum', enum: PageState, doc: 'page state at obj' },
  { name: 'has_backing', kind: 'bool', doc: 'obj has a backing object (fault_obj `backing` key)' },
  { name: 'shadowed', kind: 'bool', doc: "obj's shadow list is non-empty" },
  { name: 'swapped', kind: 'bool', doc: 'page is marked swapped' },
  { name: 'pager', kind: 'enum', enum: PagerAnswer, doc: 'whether the pager had the page' },
  { name: 'ref', kind: 'i32', doc: 'ref_count (obj_ref: before the change)' },
  { name: 'delta', kind: 'i32', doc: 'reference change, +1 or -1' },
  { name: 'why', kind: 'str', doc: 'retry reason (fault_retry)' },
  { name: 'rc', kind: 'i32', doc: 'KERN_* return code (fault_end)' },
  { name: 'action', kind: 'enum', enum: FaultAction, doc: 'how the fault was resolved' },
  { name: 'io', kind: 'bool', doc: 'the fault did pager I/O' },
  { name: 'io_ns', kind: 'f64', doc: 'time spent in pager I/O' },
  { name: 'op', kind: 'enum', enum: LockOp, doc: 'lock operation (obj_lock)' },
  { name: 'mode', kind: 'enum', enum: LockMode, doc: 'lock mode S or X (obj_lock)' },
  { name: 'class', kind: 'enum', enum: LockClass, doc: 'lock class (obj_lock)' },
  { name: 'site', kind: 'str', doc: 'kernel function that did it' },
  { name: 'backing_obj', kind: 'addr', doc: 'the object behind obj: obj_shadow `source`, obj_collapse `backing`' },
  { name: 'backing_otype', kind: 'enum', enum: ObjType, doc: 'type of backing_obj (`stype`, `btype`)' },
  { name: 'backing2_obj', kind: 'addr', doc: 'the object behind backing_obj: obj_collapse `bbobj`' },
  { name: 'backing2_otype', kind: 'enum', enum: ObjType, doc: 'type of backing2_obj (`bbtype`)' },
  { name: 'collapse_case', kind: 'enum', enum: CollapseCase, doc: 'obj_collapse `case`' },
  { name: 'child', kind: 'i32', doc: 'child pid (proc_fork)' },
  { name: 'text', kind: 'str', doc: 'object name (obj_name) or executable path (proc_exec)' },
  { name: 'pf_error', kind: 'u32', doc: 'x86 page fault error code (lx_fault)' },
  { name: 'vma', kind: 'u64', doc: 'start of the VMA a Linux fault hit (lx_fault)' },
  { name: 'vma_kind', kind: 'enum', enum: VmaKind, doc: 'kind of that VMA: anon, file, shared_file, stack, heap, special, shared_anon, none (lx_fault)' },
  { name: 'lx_facts', kind: 'u32', doc: 'what the reader worked out about a Linux fault, a bit set (docs/events.md, lx_fault)' },
  { name: 'obs_mm', kind: 'i32', doc: 'mm lock acquisitions the faulting thread made inside the fault, as captured (-1: the capture has no mmap_lock events)' },
  { name: 'dur_ns', kind: 'f64', doc: 'from the fault entry to its end (lx_fault; the event is written at the end)' },
  { name: 'inferred', kind: 'u32', doc: 'bit set of the keys that are inferred rather than observed (see docs/events.md)' },
  { name: 'extra', kind: 'str', doc: 'unknown keys (and unknown events’ payloads), as written' },
] as const);

export type EventSpec = (typeof EVENTS)['columns'];
export type EventBatch = ColumnBatch<EventSpec>;

export const EVENT_BATCH_ROWS = 16384;

export function newEventBatch(capacity = EVENT_BATCH_ROWS): EventBatch {
  return new ColumnBatch(EVENTS, capacity);
}
