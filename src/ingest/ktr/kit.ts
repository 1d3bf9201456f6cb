// What the DragonFly capture kit (traces/capture/dragonfly) logs, as far as a
// dump shows it: each event's KTR mask bit in debug.ktr.vmtrace_enable and the
// kernel function its call site sits in (ktrdump -x prints it as caller2; the
// caller1 is the kit's logging function, -f its file and line). The writer
// uses these to print realistic -x and -f columns.

export interface KitEvent {
  readonly bit: number;
  /** the kernel function that logs the event */
  readonly site: string;
}

export const KIT_EVENTS: Readonly<Record<string, KitEvent>> = {
  fault_begin: { bit: 0, site: 'vm_fault' },
  fault_obj: { bit: 1, site: 'vm_fault_object' },
  fault_retry: { bit: 2, site: 'vm_fault' },
  fault_end: { bit: 3, site: 'vm_fault' },
  obj_lock: { bit: 4, site: 'vm_object_hold' },
  obj_ref: { bit: 5, site: 'vm_object_reference_locked' },
  obj_shadow: { bit: 6, site: 'vm_map_lookup' },
  map_split: { bit: 7, site: 'vm_map_copy_entry' },
  exec_page: { bit: 8, site: 'exec_map_page' },
  page_grab: { bit: 9, site: 'vm_page_grab' },
  obj_collapse: { bit: 10, site: 'vm_object_collapse' },
  obj_name: { bit: 11, site: 'kern_execve' },
  load_section: { bit: 12, site: 'elf64_load_section' },
  proc_fork: { bit: 13, site: 'fork1' },
  proc_exec: { bit: 14, site: 'kern_execve' },
  proc_exit: { bit: 15, site: 'exit1' },
};

/** The file holding the kit's KTR_INFO definitions and logging functions. */
export const KIT_FILE = '/usr/src/sys/vm/vm_trace.c';

/** Keys the kit's format strings print as `key="%s"` (free text), whatever their value. */
export const KIT_QUOTED_KEYS: ReadonlySet<string> = new Set(['comm', 'path', 'name']);
