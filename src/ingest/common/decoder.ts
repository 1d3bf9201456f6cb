// Turns one event (a name and its key/value spans) into a row of the canonical
// events table, or rejects it with a reason. Every framing ends here, so a
// value means the same thing whatever framing carried it.

import type { AddressTable } from '../../columns/addresses.js';
import type { EventBatch, EventSpec } from '../../events/schema.js';
import type { StringTable } from '../../columns/strings.js';
import { EventKind, K, type EventKindName } from '../../events/vocabulary.js';
import { type ArrayOf, type BatchBuilder, type ColumnKind, NULL_ENUM, NULL_U32, nullOf } from '../../columns/table.js';
import { EVENTS } from '../../events/schema.js';
import { BYTE_CLASS, C_BACKSLASH, C_BLANK, C_EQ, C_QUOTE, EQ, QUOTE, WordTable, latin1, parseDecimal, parseInteger, parseU64, u64 } from './bytes.js';
import { Escape, FieldList } from './fields.js';
import { tokenizePayload, type PayloadSpan } from './payload.js';
import { ALL_KEYS, EVENT_RULES, type KeyRule, inferredBit } from '../../events/rules.js';
import type { CpuStats, FileStats } from './stats.js';
import { InputError } from '../../common/errors.js';

/** What every reader of one run shares. */
export interface IngestContext {
  readonly strings: StringTable;
  readonly addresses: AddressTable;
  /** Stop at the first rejected line (exit 2) instead of counting it. */
  readonly strict: boolean;
}

const EVENT_NAMES = new WordTable(EventKind.labels);
const KEYS = new WordTable(ALL_KEYS);

/** Value parsers, as numbers for a fast switch. */
const enum Op {
  Int,
  Addr,
  U64,
  Ftype,
  Bool,
  Enum,
  Str,
  Num,
  Inferred,
}

const OPS: Record<KeyRule['type'], Op> = {
  int: Op.Int,
  flags: Op.Int,
  addr: Op.Addr,
  u64: Op.U64,
  ftype: Op.Ftype,
  bool: Op.Bool,
  enum: Op.Enum,
  str: Op.Str,
  num: Op.Num,
  inferred: Op.Inferred,
};

/**
 * A key rule ready for decoding. A class, so every rule has one shape and the
 * per-field property loads stay monomorphic (spread literals gave each
 * combination of optional KeyRule fields its own hidden class).
 */
class CompiledRule {
  readonly key: string;
  readonly op: Op;
  /** accepted range of integer and number values */
  readonly low: number;
  readonly high: number;
  readonly colIndex: number;
  /** the rule's bit among the event's rules (for duplicates) */
  readonly seenBit: number;
  /** seenBit when the key is required, else 0 */
  readonly bit: number;
  readonly labels: WordTable | null;
  /** enum code for each WordTable id of `labels` */
  readonly codes: number[];

  constructor(r: KeyRule, i: number) {
    const { low, high } = range(r);
    const labels = r.enum ? (r.only ?? r.enum.labels) : null;
    this.key = r.key;
    this.op = OPS[r.type];
    this.low = low;
    this.high = high;
    this.colIndex = COLUMN_INDEX.get(r.col)!;
    this.seenBit = 1 << i;
    this.bit = r.required ? 1 << i : 0;
    this.labels = labels ? new WordTable(labels) : null;
    this.codes = labels ? labels.map((l) => r.enum!.code(l)) : [];
  }
}

interface CompiledEvent {
  readonly kind: number;
  /** rule by key id (ALL_KEYS index), undefined when the event does not take the key */
  readonly byKey: (CompiledRule | undefined)[];
  readonly requiredMask: number;
  readonly rules: readonly CompiledRule[];
  /** the key id last found at each field position (a guess that saves a hash lookup; -1 none) */
  readonly keyAt: Int32Array;
}

const COLUMN_INDEX = new Map<string, number>(EVENTS.columns.map((c, i) => [c.name, i]));
const COLUMN_KINDS: ColumnKind[] = EVENTS.columns.map((c) => c.kind);
const EXTRA = COLUMN_INDEX.get('extra')!;
const INFERRED = COLUMN_INDEX.get('inferred')!;

/**
 * Every event time, in every framing: untimed (NaN), or whole nanoseconds in
 * [0, 2^53). Above 2^53 (104 days of uptime) a double cannot hold every
 * nanosecond and two events would silently share a time; the line is refused
 * instead, as is a time the BIGINT columns could not hold at all.
 */
export function timeOk(ts: number): boolean {
  return Number.isNaN(ts) || (ts >= 0 && ts <= Number.MAX_SAFE_INTEGER);
}

function timeProblem(ts: number): string {
  if (ts < 0) return `negative ts ${ts}: times are nanoseconds since boot`;
  return `ts ${ts >= 1e21 ? ts : BigInt(Math.round(ts))} is 2^53 ns (104 days) or more: it cannot be kept exact, and vmreplay does not round times (rebase the trace's clock; DTrace: print \`timestamp\`, not \`walltimestamp\`)`;
}

/** The values a rule accepts: its minimum, and what its column can hold (a `num` is a duration in ns: exact below 2^53). */
function range(r: KeyRule): { low: number; high: number } {
  if (r.type === 'flags') return { low: 0, high: NULL_U32 - 1 }; // all bits set is the column's null
  if (r.type === 'num') return { low: r.min ?? -Number.MAX_SAFE_INTEGER, high: Number.MAX_SAFE_INTEGER };
  const high = r.type !== 'int' ? Infinity : COLUMN_KINDS[COLUMN_INDEX.get(r.col)!] === 'i16' ? 32767 : 2147483647;
  return { low: r.min ?? -high, high };
}

const COMPILED: (CompiledEvent | undefined)[] = EventKind.labels.map((name) => {
  const rules = EVENT_RULES[name as keyof typeof EVENT_RULES];
  if (!rules) return undefined;
  const compiled = rules.map((r, i) => new CompiledRule(r, i));
  const byKey: (CompiledRule | undefined)[] = ALL_KEYS.map((k) => compiled.find((r) => r.key === k));
  return {
    kind: EventKind.code(name),
    byKey,
    requiredMask: compiled.reduce((m, r) => m | r.bit, 0),
    rules: compiled,
    keyAt: new Int32Array(compiled.length + 4).fill(-1),
  };
});

/** Addresses and strings quick() holds for one line; a line with more takes the general path. */
const QUICK_DEFERRED = 32;
/** what ends a name or a key, and what a quoted value is scanned for */
const WORD_STOP = C_BLANK | C_EQ;
const QUOTED_STOP = C_QUOTE | C_BACKSLASH;

const NAME_OK = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

export class EventDecoder {
  private readonly ownFields = new FieldList();
  /** the fields of the event being decoded */
  private fields = this.ownFields;
  private readonly span: PayloadSpan = { nameStart: 0, nameEnd: 0 };
  private batch: EventBatch | null = null;
  private arrays: ArrayOf<ColumnKind>[] = [];
  private readonly kindNameIds: number[];
  private lastCpu = NaN;
  private lastCpuStats: CpuStats | null = null;
  /** what quick() interns once the line has passed: rule, and (hi, lo) of an address or (start, end) of a string */
  private readonly later = { rule: new Array<CompiledRule>(QUICK_DEFERRED), a: new Float64Array(QUICK_DEFERRED), b: new Float64Array(QUICK_DEFERRED) };
  /** the last name compiledByName() looked up, and its kind */
  private lastName = '';
  private lastKind = NULL_ENUM;
  /** the event being decoded is a derived one (see derived()) */
  private deriving = false;

  constructor(
    private readonly ctx: IngestContext,
    readonly file: FileStats,
    private readonly out: BatchBuilder<EventSpec>,
  ) {
    this.kindNameIds = EventKind.labels.map((l) => ctx.strings.intern(l));
  }

  /** A line that carries no event: header, blank line, comment, reader warning. */
  framing(): void {
    this.file.framing++;
  }

  /**
   * A text payload `NAME key=value ...` in buf[start, end). `name` overrides
   * (or supplies) the event name when the framing carries it elsewhere.
   */
  payload(buf: Uint8Array, start: number, end: number, ts: number, cpu: number, line: number, name?: string): void {
    if (!timeOk(ts)) return this.reject(line, cpu, timeProblem(ts));
    if (this.quick(buf, start, end, ts, cpu, line, name)) return;
    const err = tokenizePayload(buf, start, end, this.ownFields, this.span);
    if (err) return this.reject(line, cpu, err);
    const { nameStart, nameEnd } = this.span;
    if (name !== undefined) {
      if (nameEnd > nameStart) return this.reject(line, cpu, `unexpected word '${latin1(buf, nameStart, nameEnd)}' before the keys`);
      this.event(name, ts, cpu, line);
    } else if (nameEnd > nameStart) {
      this.eventBytes(buf, nameStart, nameEnd, ts, cpu, line);
    } else {
      this.reject(line, cpu, 'no event name');
    }
  }

  /** An event whose fields a structured framing (JSON, CSV) already cut into `fields`. */
  structured(name: string, fields: FieldList, ts: number, cpu: number, line: number): void {
    if (!timeOk(ts)) return this.reject(line, cpu, timeProblem(ts));
    this.fields = fields;
    try {
      this.event(name, ts, cpu, line);
    } finally {
      this.fields = this.ownFields;
    }
  }

  /** As structured(), with the event name as the bytes buf[start, end). */
  structuredSpan(buf: Uint8Array, start: number, end: number, fields: FieldList, ts: number, cpu: number, line: number): void {
    if (!timeOk(ts)) return this.reject(line, cpu, timeProblem(ts));
    this.fields = fields;
    try {
      this.eventBytes(buf, start, end, ts, cpu, line);
    } finally {
      this.fields = this.ownFields;
    }
  }

  /**
   * One more event from a line already counted: a framing that maps one input
   * line onto several canonical events (perf: a Linux fault becomes
   * fault_begin, fault_obj..., fault_end) decodes the first through the other
   * entry points and the rest here. The row is written like any other, but it
   * is counted in `derived`, not as a line, so the line identity still holds.
   * A rejection here is a reader bug, not bad input: counted in
   * `derivedRejected` (and thrown with --strict).
   */
  derived(name: string, fields: FieldList, ts: number, cpu: number, line: number): void {
    this.deriving = true;
    try {
      this.structured(name, fields, ts, cpu, line);
    } finally {
      this.deriving = false;
    }
  }

  /** A stock trace line kept as context (ktrdump `tokens_*`, `tsleep_*`, ...). */
  context(name: string, text: string, ts: number, cpu: number, line: number): void {
    this.textRow(K.context, 'context', name, text, ts, cpu, line);
  }

  /**
   * An event outside the vocabulary whose text is not in payload grammar (a
   * ktrdump line of another KTR master): kept as unknown, its text in `extra`.
   */
  unknown(name: string, text: string, ts: number, cpu: number, line: number): void {
    this.textRow(K.unknown, 'unknown', name, text, ts, cpu, line);
  }

  private textRow(kind: number, what: 'context' | 'unknown', name: string, text: string, ts: number, cpu: number, line: number): void {
    if (!timeOk(ts)) return this.reject(line, cpu, timeProblem(ts));
    const row = this.beginRow();
    this.fill(row, ts, cpu, line, kind, this.ctx.strings.intern(name));
    if (text) (this.arrays[EXTRA] as Int32Array)[row] = this.ctx.strings.intern(text);
    this.commit(ts, cpu);
    this.file[what]++;
    this.cpuStats(cpu)[what]++;
  }

  reject(line: number, cpu: number, reason: string): void {
    if (this.ctx.strict) throw new InputError(this.file.path, line, reason);
    if (this.deriving) return this.file.rejectDerived(line, reason);
    this.file.reject(line, cpu, reason);
    this.file.cpu(cpu).lines++;
  }

  private eventBytes(buf: Uint8Array, s: number, e: number, ts: number, cpu: number, line: number): void {
    const kind = EVENT_NAMES.find(buf, s, e);
    if (kind >= 0 && COMPILED[kind]) this.known(COMPILED[kind], ts, cpu, line);
    else this.event(latin1(buf, s, e), ts, cpu, line);
  }

  private event(name: string, ts: number, cpu: number, line: number): void {
    const compiled = this.compiledByName(name);
    if (compiled) return this.known(compiled, ts, cpu, line);
    if (!NAME_OK.test(name)) return this.reject(line, cpu, `not an event name: '${name.slice(0, 40)}'`);
    const row = this.beginRow();
    this.fill(row, ts, cpu, line, K.unknown, this.ctx.strings.intern(name));
    const f = this.fields;
    if (f.count > 0) {
      const parts: string[] = [];
      for (let i = 0; i < f.count; i++) parts.push(f.raw(i));
      (this.arrays[EXTRA] as Int32Array)[row] = this.ctx.strings.intern(parts.join(' '));
    }
    this.commit(ts, cpu);
    this.count(cpu, 'unknown');
  }

  private known(ev: CompiledEvent, ts: number, cpu: number, line: number): void {
    const row = this.beginRow();
    this.fill(row, ts, cpu, line, ev.kind, this.kindNameIds[ev.kind]!);
    const f = this.fields;
    const buf = f.buf;
    let seen = 0;
    let extra: string[] | null = null;
    for (let i = 0; i < f.count; i++) {
      const ks = f.keyStart[i]!;
      const ke = f.keyEnd[i]!;
      // Writers print an event's keys in one order: try the key seen at this place last time.
      let keyId = i < ev.keyAt.length ? ev.keyAt[i]! : -1;
      if (keyId < 0 || !KEYS.is(keyId, buf, ks, ke)) {
        keyId = KEYS.find(buf, ks, ke);
        if (i < ev.keyAt.length) ev.keyAt[i] = keyId;
      }
      const rule = keyId >= 0 ? ev.byKey[keyId] : undefined;
      if (!rule) {
        (extra ??= []).push(f.raw(i));
        this.file.unknownKeys++;
        continue;
      }
      const bit = rule.seenBit;
      if (seen & bit) return this.abandon(row, line, cpu, `duplicate key ${rule.key}`);
      seen |= bit;
      if (!this.value(rule, i, row)) return this.abandon(row, line, cpu, `bad ${rule.key} value '${f.text(i).slice(0, 40)}'`);
    }
    const missing = ev.requiredMask & ~seen;
    if (missing) {
      const names = ev.rules.filter((r) => r.bit & missing).map((r) => r.key);
      return this.abandon(row, line, cpu, `${EventKind.label(ev.kind)}: missing ${names.join(', ')}`);
    }
    if (extra) (this.arrays[EXTRA] as Int32Array)[row] = this.ctx.strings.intern(extra.join(' '));
    this.commit(ts, cpu);
    this.count(cpu, 'events');
  }

  private count(cpu: number, what: 'events' | 'unknown'): void {
    const c = this.cpuStats(cpu);
    if (this.deriving) {
      this.file.derived++;
      c.derived++;
    } else if (what === 'events') {
      this.file.events++;
      c.events++;
    } else {
      this.file.unknown++;
      c.unknown++;
    }
  }

  /** The CPU's stats; events come in runs from one CPU, so the last is kept at hand. */
  private cpuStats(cpu: number): CpuStats {
    if (cpu !== this.lastCpu || !this.lastCpuStats) {
      this.lastCpu = cpu;
      this.lastCpuStats = this.file.cpu(cpu);
    }
    return this.lastCpuStats;
  }

  /** Parse field i by its rule into the row; false when the value is not of the rule's form. */
  private value(rule: CompiledRule, i: number, row: number): boolean {
    const f = this.fields;
    const buf = f.buf;
    const s = f.valStart[i]!;
    const e = f.valEnd[i]!;
    const col = this.arrays[rule.colIndex]!;
    switch (rule.op) {
      case Op.Addr:
        if (!parseU64(buf, s, e)) return false;
        col[row] = this.ctx.addresses.intern(u64.hi, u64.lo);
        return true;
      case Op.Str:
        col[row] = f.escape[i] === Escape.None ? this.ctx.strings.internSpan(buf, s, e) : this.ctx.strings.intern(f.text(i));
        return true;
      case Op.Inferred: {
        let bits = 0;
        for (const key of f.text(i).split(',')) {
          const bit = inferredBit(key.trim());
          if (!bit) return false;
          bits |= bit;
        }
        col[row] = bits;
        return true;
      }
      default:
        return plainValue(rule, buf, s, e, col, row);
    }
  }

  /**
   * payload() in one pass, for the common line: a known event whose keys are
   * all its own, each once, with values that need no unescaping. Values are
   * parsed as the line is scanned; addresses and strings are interned only
   * once the whole line has passed, in field order as known() would, so the
   * ids come out the same. Returns false, having changed nothing, for any
   * other line: the general path then reads it from the start and gives the
   * row, or the rejection, it always gave.
   */
  private quick(buf: Uint8Array, start: number, end: number, ts: number, cpu: number, line: number, name: string | undefined): boolean {
    const cls = BYTE_CLASS;
    let i = start;
    while (i < end && cls[buf[i]!] === C_BLANK) i++;
    let ev: CompiledEvent | undefined;
    if (name === undefined) {
      const ns = i;
      while (i < end && (cls[buf[i]!]! & WORD_STOP) === 0) i++;
      if (i === ns || (i < end && buf[i] === EQ)) return false;
      const kind = EVENT_NAMES.find(buf, ns, i);
      ev = kind >= 0 ? COMPILED[kind] : undefined;
    } else {
      ev = this.compiledByName(name);
    }
    if (!ev) return false;
    const batch = this.out.current;
    if (batch.length === batch.capacity) return false; // known() starts the next batch
    if (batch !== this.batch) {
      this.batch = batch;
      this.arrays = EVENTS.columns.map((c) => batch.column(c.name));
    }
    const row = batch.length;
    const arrays = this.arrays;
    const keyAt = ev.keyAt;
    const later = this.later;
    let deferred = 0;
    let seen = 0;
    for (let field = 0; ; field++) {
      while (i < end && cls[buf[i]!] === C_BLANK) i++;
      if (i >= end) break;
      const ks = i;
      while (i < end && (cls[buf[i]!]! & WORD_STOP) === 0) i++;
      const ke = i;
      if (i >= end || buf[i] !== EQ || ke === ks) return this.unwrite(row, seen);
      i++;
      let keyId = field < keyAt.length ? keyAt[field]! : -1;
      if (keyId < 0 || !KEYS.is(keyId, buf, ks, ke)) {
        keyId = KEYS.find(buf, ks, ke);
        if (field < keyAt.length) keyAt[field] = keyId;
      }
      const rule = keyId >= 0 ? ev.byKey[keyId] : undefined;
      if (!rule || seen & rule.seenBit) return this.unwrite(row, seen);
      seen |= rule.seenBit;
      let vs = i;
      let ve: number;
      if (i < end && buf[i] === QUOTE) {
        vs = ++i;
        while (i < end && (cls[buf[i]!]! & QUOTED_STOP) === 0) i++;
        if (i >= end || buf[i] !== QUOTE) return this.unwrite(row, seen); // an escape, or no closing quote
        ve = i++;
        if (i < end && cls[buf[i]!] !== C_BLANK) return this.unwrite(row, seen);
      } else {
        while (i < end && cls[buf[i]!] !== C_BLANK) i++;
        ve = i;
      }
      const op = rule.op;
      if (op === Op.Addr || op === Op.Str) {
        if (op === Op.Addr && !parseU64(buf, vs, ve)) return this.unwrite(row, seen);
        if (deferred === QUICK_DEFERRED) return this.unwrite(row, seen);
        later.rule[deferred] = rule;
        later.a[deferred] = op === Op.Addr ? u64.hi : vs;
        later.b[deferred] = op === Op.Addr ? u64.lo : ve;
        deferred++;
      } else if (op === Op.Inferred || !plainValue(rule, buf, vs, ve, arrays[rule.colIndex]!, row)) {
        return this.unwrite(row, seen);
      }
    }
    if (ev.requiredMask & ~seen) return this.unwrite(row, seen);
    for (let k = 0; k < deferred; k++) {
      const rule = later.rule[k]!;
      const a = later.a[k]!;
      const b = later.b[k]!;
      arrays[rule.colIndex]![row] = rule.op === Op.Addr ? this.ctx.addresses.intern(a, b) : this.ctx.strings.internSpan(buf, a | 0, b | 0); // offsets as int32s, not boxed doubles
    }
    this.fill(row, ts, cpu, line, ev.kind, this.kindNameIds[ev.kind]!);
    this.commit(ts, cpu);
    this.count(cpu, 'events');
    return true;
  }

  /** The compiled rules of the event called `name`, if it is a known event. */
  private compiledByName(name: string): CompiledEvent | undefined {
    // A framing that names events itself (ktr IDs) hands over the same string each time.
    if (name !== this.lastName) {
      this.lastName = name;
      this.lastKind = EventKind.code(name);
    }
    return this.lastKind === NULL_ENUM ? undefined : COMPILED[this.lastKind];
  }

  /** quick() gives up on a line: the columns it wrote go back to null. Returns false. */
  private unwrite(row: number, seen: number): boolean {
    if (seen !== 0) this.clearRow(row);
    return false;
  }

  private beginRow(): number {
    const b = this.out.current;
    if (b.length === b.capacity) this.out.finishBatch();
    const cur = this.out.current;
    if (cur !== this.batch) {
      this.batch = cur;
      this.arrays = EVENTS.columns.map((c) => cur.column(c.name));
    }
    return cur.length;
  }

  private fill(row: number, ts: number, cpu: number, line: number, kind: number, name: number): void {
    const a = this.arrays;
    a[0]![row] = ts;
    a[1]![row] = cpu;
    a[2]![row] = this.file.index;
    a[3]![row] = line;
    a[4]![row] = kind;
    a[5]![row] = name;
    a[INFERRED]![row] = 0; // nothing inferred unless the event says so
  }

  private commit(ts: number, cpu: number): void {
    this.out.commitRow();
    const c = this.cpuStats(cpu);
    if (!this.deriving) c.lines++;
    c.seen(ts);
  }

  /** Undo a partly written row and reject its line. */
  private abandon(row: number, line: number, cpu: number, reason: string): void {
    this.clearRow(row);
    this.reject(line, cpu, reason);
  }

  /** Every column of a row not committed back to null, as a fresh batch holds it. */
  private clearRow(row: number): void {
    EVENTS.columns.forEach((c, i) => {
      const a = this.arrays[i]!;
      const v = nullOf(c.kind);
      if (c.kind === 'u64') {
        a[2 * row] = v;
        a[2 * row + 1] = v;
      } else a[row] = v;
    });
  }
}

/**
 * A value that needs no table (integers, u64, ftype letters, bool, enum
 * labels, decimals) parsed by its rule into col[row]; false when it is not
 * of the rule's form.
 */
function plainValue(rule: CompiledRule, buf: Uint8Array, s: number, e: number, col: ArrayOf<ColumnKind>, row: number): boolean {
  switch (rule.op) {
    case Op.Int: {
      const v = parseInteger(buf, s, e);
      if (!(v >= rule.low && v <= rule.high) || !Number.isInteger(v)) return false;
      col[row] = v;
      return true;
    }
    case Op.U64:
      if (!parseU64(buf, s, e)) return false;
      if (u64.lo === NULL_U32 && u64.hi === NULL_U32) return false; // 2^64-1 is the column's null
      col[2 * row] = u64.lo;
      col[2 * row + 1] = u64.hi;
      return true;
    case Op.Ftype: {
      let bits = 0;
      for (let k = s; k < e; k++) {
        const c = buf[k];
        const b = c === 0x52 ? 1 : c === 0x57 ? 2 : c === 0x58 ? 4 : 0;
        if (b === 0 || bits & b) return false;
        bits |= b;
      }
      col[row] = bits;
      return bits !== 0;
    }
    case Op.Bool: {
      const v = parseBool(buf, s, e);
      col[row] = v;
      return v >= 0;
    }
    case Op.Enum: {
      const id = rule.labels!.find(buf, s, e);
      if (id < 0) return false;
      col[row] = rule.codes[id]!;
      return true;
    }
    case Op.Num: {
      const v = parseDecimal(buf, s, e);
      if (!(v >= rule.low && v <= rule.high)) return false;
      col[row] = v;
      return true;
    }
  }
  return false;
}

/** 0 or 1 (JSON's false and true too), else -1. */
function parseBool(buf: Uint8Array, s: number, e: number): number {
  if (e - s === 1 && (buf[s] === 0x30 || buf[s] === 0x31)) return buf[s] - 0x30;
  const w = latin1(buf, s, e);
  return w === 'true' ? 1 : w === 'false' ? 0 : -1;
}

export { EVENT_NAMES };
export type { EventKindName };
