// Test support for the text framings: temp files, seeded random events of the
// whole vocabulary, and writing events through a writer.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { EventWriter, FieldValue, TextEvent } from '../../src/ingest/writer.js';

const dir = mkdtempSync(join(tmpdir(), 'vmreplay-ingest-'));
// Removed when the test file that imported this is done.
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let serial = 0;

/** Write `data` to a fresh file under the OS temp dir; returns its path. */
export function tempFile(name: string, data: string | Uint8Array): string {
  const path = join(dir, `${serial++}-${name}`);
  writeFileSync(path, data);
  return path;
}

export function writeAll(w: EventWriter, events: readonly TextEvent[]): string {
  return w.header() + events.map((e) => w.event(e)).join('') + w.footer();
}

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomOptions {
  seed?: number;
  cpus?: number;
  /** first timestamp in ns */
  start?: number;
}

/**
 * `n` valid events of every kind (plus unknown events and unknown keys), in
 * strictly increasing time over `cpus` CPUs. Addresses sit above 2^53 and
 * strings hold spaces, quotes and backslashes.
 */
export function randomEvents(n: number, options: RandomOptions = {}): TextEvent[] {
  const rnd = prng(options.seed ?? 1);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const addr = (): bigint => 0xfffff80000000000n + (BigInt(int(0, 0xffffff)) << 12n);
  const otype = (): string => pick(['default', 'swap', 'vnode', 'device', 'mgtdevice', 'phys', 'dead']);
  const word = (): string => pick(['sh', 'cc1', 'make', 'ld-elf.so', 'x']);
  const text = (): string => pick(['/bin/sh', 'a b', 'say "hi"', 'back\\slash', '/usr/lib/libc.so.7', 'tab\there']);
  const tid = (): number => int(100000, 100200);
  const makers: Record<string, () => [string, FieldValue][]> = {
    fault_begin: () => [
      ['tid', tid()],
      ['pid', int(1, 99999)],
      ['va', BigInt(int(0, 0x7fffffff)) << 12n],
      ['ftype', pick(['R', 'W', 'X', 'RW', 'RX', 'WX', 'RWX'])],
      ['fflags', `0x${int(0, 0x1f).toString(16)}`],
      ['nthreads', int(1, 64)],
      ['map', pick(['user', 'kernel'])],
      ['maptype', pick(['normal', 'vpagetable'])],
      ['wired', int(0, 1)],
      ['comm', pick([word(), text()])],
    ],
    fault_obj: () => [
      ['tid', tid()],
      ['depth', int(0, 4)],
      ['obj', addr()],
      ['otype', otype()],
      ['page', pick(['valid', 'invalid', 'busy', 'absent'])],
      ['backing', int(0, 1)],
      ['shadowed', int(0, 1)],
      ['swapped', int(0, 1)],
      ['pager', pick(['has', 'none'])],
      ['ref', int(0, 5000)],
    ],
    fault_retry: () => [
      ['tid', tid()],
      ['why', pick(['busy', 'memory', 'map_changed', 'backdown'])],
    ],
    fault_end: () => [
      ['tid', tid()],
      ['rc', int(0, 9)],
      ['depth', int(-1, 4)],
      ['action', pick(['map', 'cow_copy', 'cow_rename', 'zero_fill', 'readonly'])],
      ['io', int(0, 1)],
      ['io_ns', int(0, 10_000_000)],
    ],
    obj_lock: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['op', pick(['acq', 'rel', 'upg', 'try_fail', 'wait_beg', 'wait_end'])],
      ['mode', pick(['S', 'X'])],
      ['site', pick(['vm_fault', 'vm_object_collapse', 'exec_map_page'])],
      ['class', pick(['token', 'chain'])],
    ],
    obj_ref: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['otype', otype()],
      ['ref', int(0, 99)],
      ['delta', pick([1, -1])],
      ['site', 'vm_map_delete'],
    ],
    obj_shadow: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['source', addr()],
      ['stype', otype()],
      ['site', 'vm_map_lookup'],
    ],
    map_split: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['otype', otype()],
    ],
    exec_page: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['page', pick(['valid', 'invalid', 'busy', 'absent'])],
    ],
    page_grab: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['page', pick(['present', 'absent', 'busy'])],
      ['site', 'vm_fault_object_page'],
    ],
    obj_collapse: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['backing', addr()],
      ['btype', otype()],
      ['bbobj', addr()],
      ['bbtype', otype()],
      ['case', pick(['collapse', 'bypass', 'none'])],
    ],
    obj_name: () => [
      ['obj', addr()],
      ['otype', 'vnode'],
      ['name', text()],
    ],
    load_section: () => [
      ['tid', tid()],
      ['obj', addr()],
      ['page', pick(['valid', 'absent'])],
    ],
    proc_fork: () => [
      ['pid', int(1, 99999)],
      ['child', int(1, 99999)],
      ['tid', tid()],
    ],
    proc_exec: () => [
      ['pid', int(1, 99999)],
      ['path', text()],
      ['comm', word()],
      ['tid', tid()],
    ],
    proc_exit: () => [['pid', int(1, 99999)]],
    probe_note: () => [
      ['tid', tid()],
      ['what', word()],
    ],
  };
  const names = Object.keys(makers);
  const cpus = options.cpus ?? 4;
  let ts = options.start ?? 1_000_000_000;
  const out: TextEvent[] = [];
  for (let k = 0; k < n; k++) {
    ts += int(1, 5000);
    const name = names[k % names.length]!;
    const fields = makers[name]!();
    if (rnd() < 0.05) fields.push(['color', word()]); // an unknown key
    out.push({ ts, cpu: int(0, cpus - 1), name, fields });
  }
  return out;
}
