// Events as DTrace text: the quiet `<ts_ns> <cpu> <payload>` lines the shipped
// script prints, or (records: true) the same lines under dtrace's default
// record prefix, as a run without `-q` prints them.

import type { EventWriter, TextEvent } from '../writer.js';
import { payload } from '../writer.js';

export interface DtraceWriterOptions {
  /** dtrace's default output: a CPU/ID/FUNCTION:NAME header and a record prefix per line */
  records?: boolean;
}

/** The probe of the shipped script (traces/capture/freebsd/vmtrace.d) that prints each event. */
const PROBES: Readonly<Record<string, string>> = {
  fault_begin: 'vm_fault:entry',
  fault_obj: 'vm_page_lookup:return',
  fault_retry: 'vm_map_lookup:entry',
  fault_end: 'vm_fault:return',
  obj_lock: ':rw-acquire',
  obj_ref: 'vm_object_reference:entry',
  obj_shadow: 'vm_object_shadow:return',
  map_split: 'vm_map_copy_entry:entry',
  exec_page: 'exec_map_first_page:return',
  page_grab: 'vm_page_grab:return',
  obj_collapse: 'vm_object_collapse:entry',
  obj_name: 'exec_map_first_page:entry',
  proc_fork: ':create',
  proc_exec: ':exec-success',
  proc_exit: ':exit',
};

export function dtraceWriter(options: DtraceWriterOptions = {}): EventWriter {
  const line = (e: TextEvent): string => `${Math.round(e.ts)} ${e.cpu} ${payload(e)}\n`;
  if (!options.records) return { format: 'dtrace', header: () => '', footer: () => '', event: line };
  return {
    format: 'dtrace',
    header: () => `${'CPU'.padStart(3)} ${'ID'.padStart(6)} ${'FUNCTION:NAME'.padStart(32)}\n`,
    footer: () => '',
    event(e) {
      const probe = PROBES[e.name] ?? `${e.name}:entry`;
      // The printf ends in a newline and dtrace ends the record with one more: a blank line.
      return `${String(e.cpu).padStart(3)} ${String(probeId(probe)).padStart(6)} ${probe.padStart(32)} ${line(e)}\n`;
    },
  };
}

/** A stable made-up probe ID, as `dtrace -l` would list. */
function probeId(probe: string): number {
  let h = 17;
  for (let i = 0; i < probe.length; i++) h = (h * 131 + probe.charCodeAt(i)) % 90000;
  return 10000 + h;
}
