// Events as a ktrdump dump, printed the way ktrdump prints with the given
// flags: the TSC line, a header before every row whose index is a multiple of
// 20 (unless -q), and per-CPU blocks (CPU 0 first) or, with -s, one merged
// log. The ID is `vmtrace_<event>` and the trace column the payload keys.
//
// ns -> ticks -> ns is exact for integer ns when the frequency is at least
// 1000 MHz (a tick is then at most 1 ns, and both ways round to nearest).
// Relative -r times are printed from the ns deltas, so they read back exactly
// with -s; without -s each CPU restarts at 0, as ktrdump does. Events must come
// in time order per CPU (and overall with -s).

import type { EventWriter, FieldValue, TextEvent } from '../writer.js';
import { payloadValue } from '../writer.js';
import { VMTRACE_PREFIX } from './ids.js';
import { KIT_EVENTS, KIT_FILE, KIT_QUOTED_KEYS } from './kit.js';

export interface KtrWriterOptions {
  /** ktrdump flags, e.g. '-citp' (ktrdump's default set), '-a', '-citpx -s', '-cirp -s -q' */
  flags?: string;
  /** TSC frequency in MHz: at most 3 decimals, at least 1000 (default 2400) */
  mhz?: number;
  /**
   * Without -s: print the per-CPU blocks whenever a CPU has this many rows
   * waiting, as `ktrdump -l` prints each CPU's new ring entries at every poll
   * (a ring of KTR_ENTRIES). Keeps a long trace streaming instead of holding
   * it whole. Default: one dump at the end.
   */
  ring?: number;
}

interface Flags {
  c: boolean;
  i: boolean;
  t: boolean;
  r: boolean;
  x: boolean;
  f: boolean;
  p: boolean;
  n: boolean;
  q: boolean;
  s: boolean;
}

export function parseKtrFlags(text: string): Flags {
  const f: Flags = { c: false, i: false, t: false, r: false, x: false, f: false, p: false, n: false, q: false, s: false };
  for (const ch of text.replace(/[-\s]/g, '')) {
    if (ch === 'a') Object.assign(f, { c: true, i: true, r: true, x: true, p: true, s: true });
    else if (ch in f) f[ch as keyof Flags] = true;
    else throw new Error(`ktrdump flag -${ch} is not one the writer prints`);
  }
  if (!(f.c || f.i || f.t || f.x || f.f || f.p)) Object.assign(f, { c: true, i: true, t: true, p: true });
  return f;
}

/** One delta chain: the previous row's ns and ticks. */
interface Chain {
  ns: bigint;
  ticks: bigint;
}

export function ktrWriter(options: KtrWriterOptions = {}): EventWriter {
  const flags = parseKtrFlags(options.flags ?? '-citp');
  const mhz = options.mhz ?? 2400;
  const khz = BigInt(Math.round(mhz * 1000));
  if (Math.round(mhz * 1000) !== mhz * 1000 || mhz < 1000) throw new Error(`TSC frequency ${mhz} MHz: need >= 1000 with at most 3 decimals`);

  const ticksOf = (ns: bigint): bigint => (ns * khz + 500_000n) / 1_000_000n;
  const blocks = new Map<number, string[]>(); // per-CPU rows (no -s)
  const nextIndex = new Map<number, number>();
  const chains = new Map<number, Chain>();
  let merged: Chain | null = null;
  let rowCounter = 0;

  /** Every CPU's waiting rows, CPU 0 first, as one dump (or one poll). */
  function printBlocks(): string {
    const cpus = [...blocks.keys()].sort((a, b) => a - b);
    const out = cpus.map((cpu) => blocks.get(cpu)!.join('')).join('');
    blocks.clear();
    return out;
  }

  function chainFor(cpu: number, ns: bigint, ticks: bigint): Chain {
    if (flags.s) return (merged ??= { ns: 0n, ticks: 0n }); // -s: the first delta is from zero
    let c = chains.get(cpu);
    if (!c) chains.set(cpu, (c = { ns, ticks })); // a CPU's oldest entry prints a zero delta
    return c;
  }

  function row(e: TextEvent): string {
    const ns = BigInt(Math.round(e.ts));
    const ticks = ticksOf(ns);
    const index = flags.s ? rowCounter++ : (nextIndex.get(e.cpu) ?? 0);
    if (!flags.s) nextIndex.set(e.cpu, index + 1);
    let s = '';
    if (!flags.q && index % 20 === 0) s += header(flags);
    s += ` ${(index & 0xffffff).toString(16).padStart(6, '0')} `;
    if (flags.c) s += `${String(e.cpu).padEnd(3)} `;
    if (flags.t || flags.r) {
      if (!flags.r) s += `${ticks.toString().padEnd(16)} `;
      else {
        const chain = chainFor(e.cpu, ns, ticks);
        s += flags.n ? `${(ticks - chain.ticks).toString().padEnd(16)} ` : `${micros(ns - chain.ns).padStart(13)} uS `;
        chain.ns = ns;
        chain.ticks = ticks;
      }
    }
    const site = siteOf(e);
    if (flags.x) s += flags.n ? `${pointer(site)} ${pointer(`vmtrace_${e.name}`)} ` : `${symbol(site).padEnd(25)} ${symbol(`vmtrace_${e.name}`).padEnd(25)} `;
    if (flags.i) s += `${(VMTRACE_PREFIX + e.name).padEnd(20)} `;
    if (flags.f) s += `${KIT_FILE.slice(-34).padStart(34)}:${String(lineOf(e.name)).padEnd(4)} `;
    if (flags.p) s += trace(e.fields);
    return s + '\n';
  }

  return {
    format: 'ktr',
    header: () => `TSC frequency is ${(Number(khz) / 1000).toFixed(3).padStart(6)} MHz\n`,
    event(e) {
      const text = row(e);
      if (flags.s) return text;
      let rows = blocks.get(e.cpu);
      if (!rows) blocks.set(e.cpu, (rows = []));
      rows.push(text);
      return options.ring !== undefined && rows.length >= options.ring ? printBlocks() : '';
    },
    footer: printBlocks,
  };
}

function header(f: Flags): string {
  let s = `${'index'.padEnd(6)} `;
  if (f.c) s += `${'cpu'.padEnd(3)} `;
  if (f.t || f.r) s += `${'timestamp'.padEnd(16)} `;
  if (f.x) s += f.n ? `${'caller2'.padEnd(10)} ${'caller1'.padEnd(10)}` : `${'caller2'.padEnd(20)} ${'caller1'.padEnd(20)}`;
  if (f.i) s += `${'ID'.padEnd(20)} `;
  if (f.f) s += `${''.padStart(10)}${'file and line'.padEnd(30)} `;
  if (f.p) s += 'trace';
  return s + '\n';
}

/** ns as microseconds with 3 decimals, exactly. */
function micros(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  return `${neg ? '-' : ''}${a / 1000n}.${(a % 1000n).toString().padStart(3, '0')}`;
}

function trace(fields: TextEvent['fields']): string {
  return fields
    .map(([k, v]: readonly [string, FieldValue]) => `${k}=${KIT_QUOTED_KEYS.has(k) && typeof v === 'string' ? quoted(v) : payloadValue(v)}`)
    .join(' ');
}

function quoted(v: string): string {
  return '"' + v.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

function siteOf(e: TextEvent): string {
  const site = e.fields.find(([k]) => k === 'site')?.[1];
  return typeof site === 'string' ? site : (KIT_EVENTS[e.name]?.site ?? 'vm_fault');
}

/** A stable made-up offset so the same site prints the same caller. */
function offset(name: string): number {
  let h = 7;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 2039;
  return h;
}

function symbol(name: string): string {
  return `${name}+${offset(name)}`;
}

function pointer(name: string): string {
  return `0x${(0xffffffff80100000n + BigInt(offset(name) * 64)).toString(16)}`;
}

function lineOf(name: string): number {
  return 100 + 12 * (KIT_EVENTS[name]?.bit ?? 16);
}
