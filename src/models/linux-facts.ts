// What a Linux model is told about one page fault: what the capture observed
// (mode, access, the fault's end) and what the reader worked out from the
// capture's address-space events (the VMA at the address and its state).
// Tri-state facts say when the capture could not tell.

import type { ObjRef, Tri } from './facts.js';

/** A Linux kernel version as major * 100 + minor (6.18 -> 618). */
export type KernelVersion = number;

export const versionOf = (major: number, minor: number): KernelVersion => major * 100 + minor;
export const versionText = (v: KernelVersion): string => `${Math.floor(v / 100)}.${v % 100}`;

/** The kind of VMA a fault found (docs/models.md, "Linux"). */
export type VmaKind = 'anon' | 'file' | 'shared_file' | 'stack' | 'heap' | 'special' | 'shared_anon' | 'none';

export interface LinuxFaultFacts {
  /** operation id (unique in the run) */
  readonly id: number;
  readonly tid: number;
  /** exceptions:page_fault_user (else a kernel-mode fault on a user address) */
  readonly user: boolean;
  /** x86 error code bits */
  readonly write: boolean;
  readonly exec: boolean;
  /** the page was present (a protection fault: write to a read-only PTE, COW) */
  readonly present: boolean;
  /** the address space's mm lock */
  readonly mm: ObjRef;
  /** the VMA as a lock: its start address, interned */
  readonly vma: ObjRef;
  readonly vmaKind: VmaKind;
  /** no VMA covers the address, but a grows-down VMA lies just above it */
  readonly stackGrowth: boolean;
  /** the access is not allowed by the VMA's protection (access_error) */
  readonly accessError: boolean;
  /** the VMA has an anon_vma at the fault (-1: the VMA predates the capture) */
  readonly anonVma: Tri;
  /** a writer holds this VMA write-locked at the fault (-1: a writer's hold began too close to the fault to tell) */
  readonly writeLocked: Tri;
  /** the fault did I/O: its accounting sample was major-faults */
  readonly major: boolean;
  /** readahead ran inside the fault (the file fault path drops its lock to do it) */
  readonly readahead: boolean;
  /** the fault was ended by the next event of its thread, not by its accounting sample */
  readonly endInferred: boolean;
  /** the kernel version whose rules apply */
  readonly version: KernelVersion;
}
