// The tables known only at the end of a run: objects, processes, ingest
// accounting and the readers' notes, model agreement.

import { NULL_ENUM, NULL_ID } from '../columns/table.js';
import type { ObjectRegistry, ProcessRegistry } from './registry.js';
import type { StringTable } from '../columns/strings.js';
import type { FileStats } from '../ingest/common/stats.js';
import type { AgreementTally } from './agreement.js';
import { type TableOutput, tableBuilder } from './output.js';
import { INGEST_NOTES, INGEST_STATS, OBJECTS, PROCESSES } from './tables.js';

export function writeObjects(registry: ObjectRegistry, out: TableOutput): void {
  const b = tableBuilder(OBJECTS, out);
  for (let id = 0; id < registry.count; id++) {
    if (registry.events[id] === 0) continue;
    const r = b.row();
    const a = b.current.cols;
    a.obj[r] = id;
    a.otype[r] = registry.otype[id] === NULL_ENUM ? NULL_ENUM : registry.otype[id]!;
    a.name[r] = registry.name[id]!;
    const backing = registry.backing[id]!;
    a.backing_obj[r] = backing >= 0 ? backing : NULL_ID;
    a.first_ts[r] = registry.firstTs[id]!;
    a.last_ts[r] = registry.lastTs[id]!;
    a.events[r] = registry.events[id]!;
    a.faults_first[r] = registry.faultsFirst[id]!;
    if (registry.maxRef[id]! >= 0) a.max_ref[r] = registry.maxRef[id]!;
  }
  b.finishBatch();
}

export function writeProcesses(p: ProcessRegistry, out: TableOutput): void {
  const b = tableBuilder(PROCESSES, out);
  for (let k = 0; k < p.count; k++) {
    const r = b.row();
    const a = b.current.cols;
    a.pid[r] = p.pids[k]!;
    a.parent[r] = p.parent[k]!;
    a.comm[r] = p.comm[k]!;
    a.path[r] = p.path[k]!;
    a.first_ts[r] = p.firstTs[k]!;
    a.last_ts[r] = p.lastTs[k]!;
    a.exited[r] = p.exited[k] ? 1 : 0;
    a.faults[r] = p.faults[k]!;
    a.max_threads[r] = p.maxThreads[k]!;
  }
  b.finishBatch();
}

/** How every input line was accounted for (ingest_stats), and what the readers noted about the files (ingest_notes). */
export function writeIngestStats(files: readonly FileStats[], strings: StringTable, out: TableOutput): void {
  const b = tableBuilder(INGEST_STATS, out);
  for (const f of files) {
    const path = strings.intern(f.path);
    const format = strings.intern(f.format);
    const fileRow = b.row();
    let a = b.current.cols;
    a.file_index[fileRow] = f.index;
    a.path[fileRow] = path;
    a.format[fileRow] = format;
    a.cpu[fileRow] = -1;
    a.lines[fileRow] = f.lines;
    a.framing[fileRow] = f.framing;
    a.events[fileRow] = f.events;
    a.context[fileRow] = f.context;
    a.unknown[fileRow] = f.unknown;
    a.rejected[fileRow] = f.rejected;
    a.derived[fileRow] = f.derived;
    a.dropped[fileRow] = f.dropped;
    a.late[fileRow] = f.late;
    let first = Infinity;
    let last = -Infinity;
    let tb = 0;
    let te = 0;
    for (const c of f.perCpu) {
      if (c.firstTs < first) first = c.firstTs;
      if (c.lastTs > last) last = c.lastTs;
      tb += c.truncatedBegin;
      te += c.truncatedEnd;
    }
    if (Number.isFinite(first)) a.first_ts[fileRow] = first;
    if (Number.isFinite(last)) a.last_ts[fileRow] = last;
    a.truncated_begin[fileRow] = tb;
    a.truncated_end[fileRow] = te;
    for (const c of f.perCpu) {
      const r = b.row();
      a = b.current.cols;
      a.file_index[r] = f.index;
      a.path[r] = path;
      a.format[r] = format;
      a.cpu[r] = c.cpu;
      a.lines[r] = c.lines;
      a.events[r] = c.events;
      a.context[r] = c.context;
      a.unknown[r] = c.unknown;
      a.rejected[r] = c.rejected;
      a.derived[r] = c.derived;
      a.dropped[r] = c.dropped;
      a.late[r] = c.late;
      a.first_ts[r] = c.firstTs;
      a.last_ts[r] = c.lastTs;
      a.truncated_begin[r] = c.truncatedBegin;
      a.truncated_end[r] = c.truncatedEnd;
    }
  }
  b.finishBatch();
  writeIngestNotes(files, strings, out);
}

/** The readers' notes and warnings per file, in the order they were made (the report shows them). */
function writeIngestNotes(files: readonly FileStats[], strings: StringTable, out: TableOutput): void {
  const b = tableBuilder(INGEST_NOTES, out);
  const note = strings.intern('note');
  const warning = strings.intern('warning');
  for (const f of files) {
    const path = strings.intern(f.path);
    for (const [kind, texts] of [
      [note, f.notes],
      [warning, f.warnings],
    ] as const) {
      for (const text of texts) {
        const r = b.row();
        const a = b.current.cols;
        a.file_index[r] = f.index;
        a.path[r] = path;
        a.kind[r] = kind;
        a.text[r] = strings.intern(text);
      }
    }
  }
  b.finishBatch();
}

export function writeAgreement(tally: AgreementTally, strings: StringTable, out: TableOutput): void {
  tally.write(strings, out);
}
