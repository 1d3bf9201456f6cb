// Writing events back out as text, in any framing: the synthetic workload
// generator and the tests use these to produce traces the readers must read
// back exactly. A value is written as the payload grammar says: integers in
// decimal, addresses in hex (pass them as bigint or a 0x string), words bare,
// other strings quoted.

import type { FormatName } from './framing.js';

export type FieldValue = number | bigint | string;

export interface TextEvent {
  /** nanoseconds */
  ts: number;
  cpu: number;
  name: string;
  fields: readonly (readonly [string, FieldValue])[];
}

export interface EventWriter {
  readonly format: FormatName;
  /** Text before the first event (may be empty). */
  header(): string;
  /** One event, with its trailing newline (a framing may add header rows). */
  event(e: TextEvent): string;
  /** Text after the last event (may be empty). */
  footer(): string;
}

/** `key=value` in payload grammar. */
export function payloadValue(v: FieldValue): string {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (typeof v === 'number') return String(v);
  if (v.length > 0 && !/[\s"\\=]/.test(v)) return v;
  return '"' + v.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

export function payload(e: TextEvent): string {
  let s = e.name;
  for (const [k, v] of e.fields) s += ` ${k}=${payloadValue(v)}`;
  return s;
}
