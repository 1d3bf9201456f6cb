// What each event of a perf.data capture means, worked out once when its
// attrs, names and tracepoint formats are known: which mapping its samples go
// to, and where in a sample's raw payload each field the mapping reads sits.

import { ADDRESS_SPACE_CALLS } from '../perf/records.js';
import { type Attr, PERF_TYPE } from './header.js';
import { Layout } from './records.js';
import type { EventFormat, Field, TracingData } from './tracing-data.js';

/** What a sample of each event means. */
export const enum Kind {
  Other,
  FaultUser,
  FaultKernel,
  LockStart,
  LockAcquired,
  LockReleased,
  Filemap,
  ForkTp,
  ExecTp,
  ExitTp,
  Minor,
  Major,
  SyscallEnter,
  SyscallExit,
  Readahead,
}

const TRACEPOINTS: Record<string, Kind> = {
  'exceptions:page_fault_user': Kind.FaultUser,
  'exceptions:page_fault_kernel': Kind.FaultKernel,
  'mmap_lock:mmap_lock_start_locking': Kind.LockStart,
  'mmap_lock:mmap_lock_acquire_returned': Kind.LockAcquired,
  'mmap_lock:mmap_lock_released': Kind.LockReleased,
  'filemap:mm_filemap_fault': Kind.Filemap,
  'sched:sched_process_fork': Kind.ForkTp,
  'sched:sched_process_exec': Kind.ExecTp,
  'sched:sched_process_exit': Kind.ExitTp,
  'readahead:page_cache_sync_ra': Kind.Readahead,
  'readahead:page_cache_async_ra': Kind.Readahead,
};
/** PERF_COUNT_SW_PAGE_FAULTS_MIN / _MAJ */
const SW_MINOR = 5;
const SW_MAJOR = 6;
const SW_NAMES: Record<number, string> = {
  0: 'cpu-clock',
  1: 'task-clock',
  2: 'page-faults',
  3: 'context-switches',
  4: 'cpu-migrations',
  5: 'minor-faults',
  6: 'major-faults',
};

/** The fields of a tracepoint the mapping reads, located once per event. */
export interface EventPlan {
  kind: Kind;
  /** the event's name: from EVENT_DESC, the tracepoint's format, or the software event number */
  name: string;
  /** for a tracepoint: its fields by role (null when the format lacks one) */
  f: Record<'address' | 'error' | 'mm' | 'write' | 'success' | 'ino' | 'dev' | 'index' | 'child' | 'filename' | 'groupDead', Field | null>;
  /** an address-space syscall tracepoint: the call, and its fields by name (`ret` on exit) */
  call?: { readonly name: string; readonly fields: readonly [string, Field][] };
}

/** Where each event's fields are, and what its samples mean (the attr is left as it is). */
export function plan(a: Attr, names: ReadonlyMap<number, string>, tracing: TracingData | null): EventPlan {
  const empty: EventPlan['f'] = {
    address: null,
    error: null,
    mm: null,
    write: null,
    success: null,
    ino: null,
    dev: null,
    index: null,
    child: null,
    filename: null,
    groupDead: null,
  };
  const fmt: EventFormat | undefined = a.type === PERF_TYPE.TRACEPOINT ? tracing?.events.get(a.config) : undefined;
  let name = a.ids.map((id) => names.get(id)).find((n) => n !== undefined) ?? '';
  if (!name)
    name = fmt ? `${fmt.system}:${fmt.name}` : a.type === PERF_TYPE.SOFTWARE ? (SW_NAMES[a.config] ?? `software-${a.config}`) : `event-${a.type}-${a.config}`;
  if (a.type === PERF_TYPE.SOFTWARE && (a.config === SW_MINOR || a.config === SW_MAJOR))
    return { kind: a.config === SW_MINOR ? Kind.Minor : Kind.Major, name, f: empty };
  if (!fmt) return { kind: Kind.Other, name, f: empty };
  let kind = TRACEPOINTS[`${fmt.system}:${fmt.name}`] ?? Kind.Other;
  const g = (n: string): Field | null => fmt.fields.get(n) ?? null;
  const sys = fmt.system === 'syscalls' ? /^sys_(enter|exit)_(\w+)$/.exec(fmt.name) : null;
  let call: EventPlan['call'];
  if (sys && ADDRESS_SPACE_CALLS.has(sys[2]!)) {
    kind = sys[1] === 'enter' ? Kind.SyscallEnter : Kind.SyscallExit;
    call = { name: sys[2]!, fields: [...fmt.fields].filter(([n]) => n !== '__syscall_nr' && !n.startsWith('common_')) };
  }
  return {
    kind,
    name,
    ...(call ? { call } : {}),
    f: {
      address: g('address'),
      error: g('error_code'),
      mm: g('mm'),
      write: g('write'),
      success: g('success'),
      ino: g('i_ino'),
      dev: g('s_dev'),
      index: g('index'),
      child: g('child_pid'),
      filename: g('filename'),
      groupDead: g('group_dead'),
    },
  };
}

/**
 * The capture's events as the tokenizer and the parser read them: the attrs,
 * the names perf gave them, the tracepoint formats, where a record's
 * sample fields are (Layout) and each event's plan. In pipe mode they arrive
 * as records, so each change makes the layout and the plans again.
 */
export class CaptureEvents {
  attrs: readonly Attr[] = [];
  names: ReadonlyMap<number, string> = new Map();
  tracing: TracingData | null = null;
  layout: Layout | null = null;
  plans: readonly EventPlan[] = [];
  pageSize = 4096;

  set(attrs: readonly Attr[], names: ReadonlyMap<number, string>, tracing: TracingData | null): void {
    this.attrs = attrs;
    this.names = names;
    this.tracing = tracing;
    this.pageSize = tracing?.pageSize ?? 4096;
    this.layout = attrs.length > 0 ? new Layout(attrs) : null;
    this.plans = attrs.map((a) => plan(a, names, tracing));
  }

  /** Tracepoint events the mapping does not use, by name. */
  unusedTracepoints(): string[] {
    return this.plans.filter((p, i) => p.kind === Kind.Other && this.attrs[i]!.type === PERF_TYPE.TRACEPOINT).map((p) => p.name);
  }
}
