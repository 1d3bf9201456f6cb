// The facts of one Linux fault, from its lx_fault event: what a Linux model
// is told (models/linux-facts.ts). The kernel version comes from the
// capture's release unless a knob sets it.

import { NULL_ENUM, NULL_ID, NULL_U32 } from '../columns/table.js';
import type { AddressTable } from '../columns/addresses.js';
import type { EventBatch } from '../events/schema.js';
import { LinuxFact, MapKind, VmaKind } from '../events/vocabulary.js';
import type { Tri } from '../models/facts.js';
import { type KernelVersion, type LinuxFaultFacts, type VmaKind as VmaKindName, versionOf } from '../models/linux-facts.js';
import { PF_WRITE, PF_INSTR, PF_PROT } from './linux-bits.js';

/** The newest kernel the Linux rules know: the version taken when a capture does not say its own. */
export const NEWEST_LINUX: KernelVersion = 618;

/** `6.18.44-fc-v1300` -> 618; null or unreadable -> the newest known. */
export function releaseVersion(release: string | null): KernelVersion {
  const m = release === null ? null : /^(\d+)\.(\d+)/.exec(release);
  return m ? versionOf(Number(m[1]), Number(m[2])) : NEWEST_LINUX;
}

const tri = (yes: boolean, unknown: boolean): Tri => (unknown ? -1 : yes ? 1 : 0);

export function linuxFacts(b: EventBatch, i: number, id: number, version: KernelVersion, addresses: AddressTable): LinuxFaultFacts {
  const c = b.cols;
  const bits = c.lx_facts[i] === NULL_U32 ? 0 : c.lx_facts[i]!;
  const error = c.pf_error[i] === NULL_U32 ? 0 : c.pf_error[i]!;
  const kind = c.vma_kind[i] === NULL_ENUM ? 'none' : (VmaKind.labels[c.vma_kind[i]!] as VmaKindName);
  const [lo, hi] = [c.vma[2 * i]!, c.vma[2 * i + 1]!];
  const vma = lo === 0xffffffff && hi === 0xffffffff ? -1 : addresses.intern(hi, lo);
  return {
    id,
    tid: c.tid[i]!,
    user: c.map[i] !== MapKind.codes.kernel,
    write: (error & PF_WRITE) !== 0,
    exec: (error & PF_INSTR) !== 0,
    present: (error & PF_PROT) !== 0,
    mm: { obj: c.obj[i] === NULL_ID ? -1 : c.obj[i]!, otype: NULL_ENUM },
    vma: { obj: vma, otype: NULL_ENUM },
    vmaKind: kind,
    stackGrowth: (bits & LinuxFact.STACK_GROWTH) !== 0,
    accessError: (bits & LinuxFact.ACCESS_ERROR) !== 0,
    anonVma: tri((bits & LinuxFact.ANON_VMA) !== 0, (bits & LinuxFact.ANON_VMA_UNKNOWN) !== 0),
    writeLocked: tri((bits & LinuxFact.WRITE_LOCKED) !== 0, (bits & LinuxFact.WRITER_RACE) !== 0),
    major: (bits & LinuxFact.MAJOR) !== 0,
    readahead: (bits & LinuxFact.READAHEAD) !== 0,
    endInferred: (bits & LinuxFact.END_INFERRED) !== 0,
    version,
  };
}
