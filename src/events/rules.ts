// Which keys each event takes, which are required, and what column and value
// type each key fills. This table is the vocabulary of docs/events.md
// (plus the `load_section` event and the `inferred` key, see docs/events.md).

import type { EventSpec } from './schema.js';
import {
  CollapseCase,
  type EventKindName,
  FaultAction,
  LockClass,
  LockMode,
  LockOp,
  MapKind,
  MapType,
  ObjType,
  PagerAnswer,
  PageState,
  VmaKind,
} from './vocabulary.js';
import type { Enum } from '../columns/enum.js';

type ColumnName = EventSpec[number]['name'];

export type ValueType =
  | 'int' // integer column (i32 / i16 / i64)
  | 'flags' // integer bit set (u32)
  | 'addr' // 64-bit object address, interned
  | 'u64' // exact 64-bit value
  | 'ftype' // R/W/X letters
  | 'bool' // 0 or 1
  | 'enum'
  | 'str'
  | 'num' // decimal, may have a fraction
  | 'inferred'; // comma list of key names

export interface KeyRule {
  readonly key: string;
  readonly col: ColumnName;
  readonly type: ValueType;
  readonly required?: boolean;
  readonly enum?: Enum<string>;
  /** For enums: the labels this event accepts (default: all). */
  readonly only?: readonly string[];
  readonly min?: number;
}

const tid: KeyRule = { key: 'tid', col: 'tid', type: 'int', required: true };
const optTid: KeyRule = { key: 'tid', col: 'tid', type: 'int' };
const obj: KeyRule = { key: 'obj', col: 'obj', type: 'addr', required: true };
const otype: KeyRule = { key: 'otype', col: 'otype', type: 'enum', enum: ObjType, required: true };
const site: KeyRule = { key: 'site', col: 'site', type: 'str' };
const inferred: KeyRule = { key: 'inferred', col: 'inferred', type: 'inferred' };
const faultPage = ['valid', 'invalid', 'busy', 'absent'] as const;

export const EVENT_RULES: Record<Exclude<EventKindName, 'context' | 'unknown'>, readonly KeyRule[]> = {
  fault_begin: [
    tid,
    { key: 'pid', col: 'pid', type: 'int', required: true },
    { key: 'va', col: 'va', type: 'u64', required: true },
    { key: 'ftype', col: 'ftype', type: 'ftype', required: true },
    { key: 'fflags', col: 'fflags', type: 'flags', required: true },
    { key: 'nthreads', col: 'nthreads', type: 'int', min: 1 },
    { key: 'map', col: 'map', type: 'enum', enum: MapKind },
    { key: 'maptype', col: 'maptype', type: 'enum', enum: MapType },
    { key: 'wired', col: 'wired', type: 'bool' },
    { key: 'comm', col: 'comm', type: 'str' },
  ],
  fault_obj: [
    tid,
    { key: 'depth', col: 'depth', type: 'int', required: true, min: 0 },
    obj,
    otype,
    { key: 'page', col: 'page', type: 'enum', enum: PageState, only: faultPage, required: true },
    { key: 'backing', col: 'has_backing', type: 'bool' },
    { key: 'shadowed', col: 'shadowed', type: 'bool' },
    { key: 'swapped', col: 'swapped', type: 'bool' },
    { key: 'pager', col: 'pager', type: 'enum', enum: PagerAnswer },
    { key: 'ref', col: 'ref', type: 'int', min: 0 },
    // The BSD kits tag the levels of walks that run outside vm_fault() (vm_fault_page,
    // vm_fault_object_page, a virtual page table's walk): not levels of any fault.
    { key: 'entry', col: 'site', type: 'str' },
  ],
  fault_retry: [tid, { key: 'why', col: 'why', type: 'str', required: true }],
  fault_end: [
    tid,
    { key: 'rc', col: 'rc', type: 'int', required: true },
    { key: 'depth', col: 'depth', type: 'int', min: -1 },
    { key: 'action', col: 'action', type: 'enum', enum: FaultAction },
    { key: 'io', col: 'io', type: 'bool' },
    { key: 'io_ns', col: 'io_ns', type: 'num', min: 0 },
    // the kernel handler a Linux call chain named (perf reader): a hint, not a BSD site
    site,
  ],
  obj_lock: [
    tid,
    obj,
    { key: 'op', col: 'op', type: 'enum', enum: LockOp, required: true },
    { key: 'mode', col: 'mode', type: 'enum', enum: LockMode, required: true },
    site,
    { key: 'class', col: 'class', type: 'enum', enum: LockClass },
  ],
  obj_ref: [
    tid,
    obj,
    otype,
    { key: 'ref', col: 'ref', type: 'int', required: true, min: 0 },
    { key: 'delta', col: 'delta', type: 'int', required: true },
    site,
  ],
  obj_shadow: [
    tid,
    obj,
    { key: 'source', col: 'backing_obj', type: 'addr', required: true },
    { key: 'stype', col: 'backing_otype', type: 'enum', enum: ObjType, required: true },
    site,
  ],
  map_split: [tid, obj, otype],
  exec_page: [tid, obj, { key: 'page', col: 'page', type: 'enum', enum: PageState, only: faultPage, required: true }],
  page_grab: [tid, obj, { key: 'page', col: 'page', type: 'enum', enum: PageState, only: ['present', 'absent', 'busy'], required: true }, site],
  obj_collapse: [
    tid,
    obj,
    { key: 'backing', col: 'backing_obj', type: 'addr', required: true },
    { key: 'btype', col: 'backing_otype', type: 'enum', enum: ObjType, required: true },
    { key: 'bbobj', col: 'backing2_obj', type: 'addr' },
    { key: 'bbtype', col: 'backing2_otype', type: 'enum', enum: ObjType },
    { key: 'case', col: 'collapse_case', type: 'enum', enum: CollapseCase },
  ],
  obj_name: [{ key: 'obj', col: 'obj', type: 'addr', required: true }, otype, { key: 'name', col: 'text', type: 'str' }, optTid],
  load_section: [tid, obj, { key: 'page', col: 'page', type: 'enum', enum: PageState, only: faultPage }],
  proc_fork: [{ key: 'pid', col: 'pid', type: 'int', required: true }, { key: 'child', col: 'child', type: 'int', required: true }, optTid],
  proc_exec: [
    { key: 'pid', col: 'pid', type: 'int', required: true },
    { key: 'path', col: 'text', type: 'str' },
    { key: 'comm', col: 'comm', type: 'str' },
    optTid,
  ],
  proc_exit: [{ key: 'pid', col: 'pid', type: 'int', required: true }, optTid],
  lx_fault: [
    tid,
    { key: 'pid', col: 'pid', type: 'int', required: true },
    { key: 'va', col: 'va', type: 'u64', required: true },
    { key: 'ftype', col: 'ftype', type: 'ftype', required: true },
    { key: 'map', col: 'map', type: 'enum', enum: MapKind, required: true },
    { key: 'mm', col: 'obj', type: 'addr', required: true },
    { key: 'error', col: 'pf_error', type: 'flags', required: true },
    { key: 'vma', col: 'vma', type: 'u64' },
    { key: 'vma_kind', col: 'vma_kind', type: 'enum', enum: VmaKind, required: true },
    { key: 'facts', col: 'lx_facts', type: 'flags' },
    { key: 'obs_mm', col: 'obs_mm', type: 'int', min: -1 },
    { key: 'dur_ns', col: 'dur_ns', type: 'num', min: 0 },
    { key: 'comm', col: 'comm', type: 'str' },
  ],
};

for (const rules of Object.values(EVENT_RULES)) (rules as KeyRule[]).push(inferred);

/** Every key of the vocabulary, in a stable order (ids for the WordTable). */
export const ALL_KEYS: readonly string[] = [...new Set(Object.values(EVENT_RULES).flatMap((r) => r.map((k) => k.key)))];

/**
 * Keys a reader may mark as inferred; bit i of the `inferred` column is
 * INFERABLE_KEYS[i]. `event` means the event itself was inferred (a BSD event a
 * Linux trace implies but never logs).
 */
export const INFERABLE_KEYS = [
  'event',
  'tid',
  'pid',
  'obj',
  'otype',
  'page',
  'backing',
  'shadowed',
  'swapped',
  'pager',
  'ref',
  'depth',
  'ftype',
  'fflags',
  'nthreads',
  'map',
  'maptype',
  'wired',
  'source',
  'stype',
  'action',
  'io',
  'io_ns',
  'rc',
  'comm',
  'name',
  'delta',
  'btype',
  'bbobj',
  'bbtype',
  'case',
  // a perf trace --pf line gives a file offset, not the faulting address (bit 31: the column is full)
  'va',
] as const;

export function inferredBit(key: string): number {
  const i = (INFERABLE_KEYS as readonly string[]).indexOf(key);
  return i < 0 ? 0 : 1 << i;
}

export function inferredKeys(bits: number): string[] {
  return INFERABLE_KEYS.filter((_, i) => (bits >>> i) & 1);
}
