// What a ktrdump ID column (`kf_name`, "<master>_<name>") means to us: one of
// our vmtrace events, a stock KTR event kept as context, or some other KTR
// master's event. IDs repeat on every line, so each distinct ID is classified
// once and found again by its bytes.

import { STOCK_KTR_PREFIXES } from '../../events/vocabulary.js';
import { latin1 } from '../common/bytes.js';
import { IntMap, widen } from '../../columns/typed.js';

/** The KTR master of the capture kit: its IDs are `vmtrace_<event>`. */
export const VMTRACE_PREFIX = 'vmtrace_';

export const enum IdKind {
  /** `vmtrace_<event>`: the name is the event */
  Vmtrace,
  /** tokens_*, tsleep_*, kernentry_*, ctxsw_*: context */
  Stock,
  /** any other master: an unknown event named by the ID */
  Other,
}

export interface KtrId {
  readonly kind: IdKind;
  /** the event name for Vmtrace, the ID itself otherwise */
  readonly name: string;
}

export function classifyId(id: string): KtrId {
  if (id.startsWith(VMTRACE_PREFIX) && id.length > VMTRACE_PREFIX.length) {
    return { kind: IdKind.Vmtrace, name: id.slice(VMTRACE_PREFIX.length) };
  }
  if (STOCK_KTR_PREFIXES.some((p) => id.startsWith(p))) return { kind: IdKind.Stock, name: id };
  return { kind: IdKind.Other, name: id };
}

/** Past this many distinct IDs (garbage input), IDs are classified without caching. */
const MAX_CACHED = 1 << 14;

/** ID bytes to their classification: the bytes' hash leads to the first ID with that hash, `next` to the next one. */
export class IdTable {
  private readonly heads = new IntMap(-1);
  private next = new Int32Array(256);
  private bytes: Uint8Array[] = [];
  private ids: KtrId[] = [];

  lookup(buf: Uint8Array, start: number, end: number): KtrId {
    const h = hashSpan(buf, start, end);
    const head = this.heads.get(h);
    for (let k = head; k >= 0; k = this.next[k]!) if (sameBytes(this.bytes[k]!, buf, start, end)) return this.ids[k]!;
    const id = classifyId(latin1(buf, start, end));
    if (this.ids.length >= MAX_CACHED) return id;
    const k = this.ids.length;
    this.ids.push(id);
    this.bytes.push(buf.slice(start, end));
    if (k === this.next.length) this.next = widen(this.next, 2 * k);
    this.next[k] = head;
    this.heads.set(h, k);
    return id;
  }
}

function hashSpan(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0; // an int32 even for an empty span: IntMap keys are int32
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

function sameBytes(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== buf[start + k]) return false;
  return true;
}
