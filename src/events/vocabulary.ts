// The trace event vocabulary (docs/events.md): event kinds, the small enums their
// keys take, and the kernel constants the models test. Every enum is a dense
// u8 code whose label list is the single source for parsing, tables and docs.

import { Enum } from '../columns/enum.js';

/** Event kinds. `context` is a stock trace line kept for context, `unknown` an unknown event name. */
export const EventKinds = [
  'fault_begin',
  'fault_obj',
  'fault_retry',
  'fault_end',
  'obj_lock',
  'obj_ref',
  'obj_shadow',
  'map_split',
  'exec_page',
  'page_grab',
  'obj_collapse',
  'obj_name',
  'load_section',
  'proc_fork',
  'proc_exec',
  'proc_exit',
  'context',
  'unknown',
  'lx_fault',
] as const;
export type EventKindName = (typeof EventKinds)[number];
export const EventKind = new Enum('event', EventKinds);
export const K = EventKind.codes;

export const ObjType = new Enum('otype', ['default', 'swap', 'vnode', 'device', 'mgtdevice', 'phys', 'dead'] as const);
export const OT = ObjType.codes;
/** Chain locks exist only on DEFAULT and SWAP objects. */
export const hasChainLock = (otype: number): boolean => otype === OT.default || otype === OT.swap;

/** Page state at one object level (`present` is page_grab's word). */
export const PageState = new Enum('page', ['valid', 'invalid', 'busy', 'absent', 'present'] as const);
export const PG = PageState.codes;

export const LockOp = new Enum('op', ['acq', 'rel', 'upg', 'try_fail', 'wait_beg', 'wait_end'] as const);
export const LockMode = new Enum('mode', ['S', 'X'] as const);
/** token, chain: DragonFly object locks; map: DragonFly's per-map token, and Linux's mmap_lock as a capture logs it; mm, vma: Linux's mm and VMA locks as a Linux model takes them. */
export const LockClass = new Enum('class', ['token', 'chain', 'map', 'mm', 'vma'] as const);
export const FaultAction = new Enum('action', ['map', 'cow_copy', 'cow_rename', 'zero_fill', 'readonly'] as const);
export const MapKind = new Enum('map', ['user', 'kernel'] as const);
export const MapType = new Enum('maptype', ['normal', 'vpagetable'] as const);
export const CollapseCase = new Enum('case', ['collapse', 'bypass', 'none'] as const);
export const PagerAnswer = new Enum('pager', ['none', 'has'] as const);

/** The kind of VMA a Linux fault hit (`none`: no VMA at the address). */
export const VmaKind = new Enum('vma_kind', ['anon', 'file', 'shared_file', 'stack', 'heap', 'special', 'shared_anon', 'none'] as const);

/** What the reader worked out about a Linux fault (lx_fault `facts`, events.lx_facts). */
export const LinuxFact = {
  /** the VMA had an anon_vma at the fault */
  ANON_VMA: 0x1,
  /** the VMA predates the capture: whether it had an anon_vma is not known */
  ANON_VMA_UNKNOWN: 0x2,
  /** a writer held the VMA write-locked at the fault's entry */
  WRITE_LOCKED: 0x4,
  /** a writer's hold began or ended too close to the fault's entry to tell */
  WRITER_RACE: 0x8,
  /** the access is not allowed by the VMA's protection */
  ACCESS_ERROR: 0x10,
  /** no VMA at the address, a grows-down stack just above it */
  STACK_GROWTH: 0x20,
  /** the fault's accounting sample was major-faults (it did I/O) */
  MAJOR: 0x40,
  /** readahead ran inside the fault */
  READAHEAD: 0x80,
  /** no accounting sample ended it: it ended at the next event of its thread */
  END_INFERRED: 0x100,
  /** the capture has no MMAP2 records: the VMA is unknown */
  NO_MAPPINGS: 0x200,
} as const;

/** VM_FAULT_* bits (vm/vm_map.h). */
export const FaultFlag = {
  CHANGE_WIRING: 0x1,
  USER_WIRE: 0x2,
  BURST: 0x4,
  DIRTY: 0x8,
  UNSWAP: 0x10,
  WIRE_MASK: 0x3,
} as const;

/** Fault type letters as bits: R, W, X (VM_PROT_READ/WRITE/EXECUTE). */
export const FaultType = { R: 1, W: 2, X: 4 } as const;

/** Stock DragonFly KTR event ids read as context (never dropped silently). */
export const STOCK_KTR_PREFIXES = ['tokens_', 'tsleep_', 'kernentry_', 'ctxsw_'] as const;

/**
 * The first event of every generated trace. Readers keep it as an unknown
 * event (name in `name`, payload in `extra`); a report that finds it must say
 * the trace is synthetic.
 */
export const SYNTHETIC_MARKER = 'vmtrace_synthetic';

/** The marker's payload keys, in the order the generator writes them (a CSV header needs them up front). */
export const SYNTHETIC_MARKER_KEYS = ['workload', 'seed', 'cpus', 'kernel', 'pressure', 'generator', 'version'] as const;
