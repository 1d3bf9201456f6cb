#!/usr/sbin/dtrace -CZs
/*
 * vmtrace.d - vmreplay's event vocabulary from a stock FreeBSD kernel (12-14,
 * amd64), with fbt on the fault path and lockstat on the "vm object" rwlock.
 *
 * Output: one event per line, `<timestamp_ns> <cpu> <event> key=value ...`,
 * where timestamp is DTrace's `timestamp` (ns since boot, one clock for all
 * CPUs). The first line ties it to the wall clock.
 *
 * Run it through vmtrace.sh, which checks which probes this kernel has
 * (static functions the compiler inlined have no fbt probe), picks the
 * -D options below, and writes what it found at the top of the output:
 *
 *	sh vmtrace.sh /var/tmp/vm.dtrace
 *
 * By hand: dtrace -C [-D ...] -Zs vmtrace.d -o /var/tmp/vm.dtrace
 *   -C  run cpp over this file (the #ifdefs below)
 *   -Z  a probe on a function this release lacks matches nothing instead of
 *       failing the script (vmtrace.sh says which ones)
 *   -D VMTRACE_KMAP_POINTER   FreeBSD 12 and older: `kernel_map` is a
 *                             vm_map_t variable (13+: `kernel_map_store`)
 *   -D VMTRACE_NO_COPY_ENTRY  vm_map_copy_entry has no probe (inlined into
 *                             vmspace_fork, its only caller)
 */

#pragma D option quiet
#pragma D option bufsize=64m
#pragma D option switchrate=10hz
#pragma D option dynvarsize=64m
#pragma D option strsize=256

#ifdef VMTRACE_KMAP_POINTER
#define	KERNEL_MAP	((uintptr_t)`kernel_map)
#else
#define	KERNEL_MAP	((uintptr_t)&`kernel_map_store)
#endif

/* OFF_TO_IDX() on amd64: pages are 4 KB. */
#define	VMTRACE_PAGE_SHIFT	12

/*
 * enum obj_type of sys/vm/vm.h, 12 and 13 order: OBJT_DEFAULT, OBJT_SWAP,
 * OBJT_VNODE, OBJT_DEVICE, OBJT_PHYS, OBJT_DEAD, OBJT_SG, OBJT_MGTDEVICE.
 * Types from 8 up are dynamic pager types (tmpfs' swap-backed objects):
 * "swap". vmtrace.sh checks the numbering when the kernel's CTF lets D name
 * the constants. Anonymous memory a release keeps as OBJT_SWAP reads "swap",
 * which vmreplay's models treat like "default" (both have chain locks).
 */
BEGIN
{
	otype[0] = "default";
	otype[1] = "swap";
	otype[2] = "vnode";
	otype[3] = "device";
	otype[4] = "phys";
	otype[5] = "dead";
	otype[6] = "device";		/* OBJT_SG */
	otype[7] = "mgtdevice";

	ftype[0] = "R";			/* vm_fault is not called with VM_PROT_NONE */
	ftype[1] = "R";
	ftype[2] = "W";
	ftype[3] = "RW";
	ftype[4] = "X";
	ftype[5] = "RX";
	ftype[6] = "WX";
	ftype[7] = "RWX";

	printf("# vmtrace.d 2 timestamp=%d walltimestamp=%d\n", timestamp, walltimestamp);
}

/* The type name of object `o` (dynamic types read "swap"). */
#define	OTYPE(o)	(otype[(int)(o)->type] != "" ? otype[(int)(o)->type] : "swap")

/* ---- faults ------------------------------------------------------------ */

/*
 * vm_fault(map, vaddr, fault_type, fault_flags, m_hold) (12+).
 * fflags are translated to DragonFly's VM_FAULT_* bits, the vocabulary's:
 * FreeBSD WIRE (0x1) -> CHANGE_WIRING (0x1), DIRTY (0x2) -> DIRTY (0x8);
 * NOFILL has no counterpart. A user fault has no BURST bit on FreeBSD.
 */
fbt::vm_fault:entry
{
	self->infault = 1;
	self->depth = 0;
	self->nextobj = (vm_object_t)0;
	self->nextpidx = (vm_pindex_t)0;
	self->lookups = 0;
	self->why = "restart";
	self->io = 0;
	self->io_ns = (uint64_t)0;
	self->inio = 0;
	self->io_start = (uint64_t)0;
	printf("%d %d fault_begin tid=%d pid=%d va=0x%x ftype=%s fflags=0x%x nthreads=%d map=%s comm=\"%s\"\n",
	    timestamp, cpu, tid, pid, arg1, ftype[(int)(arg2 & 7)],
	    ((arg3 & 1) ? 0x1 : 0) | ((arg3 & 2) ? 0x8 : 0),
	    curthread->td_proc->p_numthreads,
	    arg0 == KERNEL_MAP ? "kernel" : "user", execname);
}

/*
 * Every attempt of FreeBSD's fault starts with vm_map_lookup() (through
 * vm_fault_lookup() on 13+), whose out-parameters name the first object and
 * page index: vm_map_lookup(var_map, vaddr, fault_type, out_entry, object,
 * pindex, out_prot, wired).
 */
fbt::vm_map_lookup:entry
/self->infault/
{
	self->lookups++;
	self->lk_objp = args[4];
	self->lk_pidxp = args[5];
}

fbt::vm_map_lookup:entry
/self->infault && self->lookups > 1/
{
	printf("%d %d fault_retry tid=%d why=%s\n", timestamp, cpu, tid, self->why);
	self->why = "restart";
}

fbt::vm_map_lookup:return
/self->lk_objp != NULL && arg1 == 0/
{
	self->nextobj = *self->lk_objp;
	self->nextpidx = *self->lk_pidxp;
	self->depth = 0;
}

fbt::vm_map_lookup:return
/self->lk_objp != NULL/
{
	self->lk_objp = (vm_object_t *)0;
	self->lk_pidxp = (vm_pindex_t *)0;
}

fbt::vm_page_busy_sleep:entry, fbt::vm_page_busy_sleep_unlocked:entry
/self->infault/
{
	self->why = "busy";
}

fbt::vm_waitpfault:entry
/self->infault/
{
	self->why = "memory";
}

/*
 * One fault_obj per object level: the lookup of the page the fault walks,
 * (first object, first pindex), then (backing object, pindex + the backing
 * offset's pages), and so on. Lookups of other pages (prefault neighbours,
 * read-ahead inside the pager) and repeated lookups of a level (the unlocked
 * fast path, then the locked loop) do not match the next expected pair.
 * Pager I/O is excluded outright.
 */
fbt::vm_page_lookup:entry, fbt::vm_page_lookup_unlocked:entry
/self->infault && !self->inio && self->nextobj != NULL &&
    arg0 == (uintptr_t)self->nextobj && arg1 == self->nextpidx/
{
	self->lkobj = args[0];
	self->lkpidx = (vm_pindex_t)arg1;
}

fbt::vm_page_lookup:return, fbt::vm_page_lookup_unlocked:return
/self->lkobj != NULL/
{
	this->o = self->lkobj;
	this->m = (vm_page_t)arg1;
	this->page = this->m == NULL ? "absent" :
	    this->m->busy_lock != 1 ? "busy" :		/* VPB_UNBUSIED */
	    this->m->valid == 0xff ? "valid" : "invalid";	/* VM_PAGE_BITS_ALL, 4K pages */
	printf("%d %d fault_obj tid=%d depth=%d obj=0x%x otype=%s page=%s backing=%d shadowed=%d ref=%d\n",
	    timestamp, cpu, tid, self->depth, (uintptr_t)this->o, OTYPE(this->o), this->page,
	    this->o->backing_object != NULL, this->o->shadow_count > 0, this->o->ref_count);
	self->depth++;
	self->nextobj = this->o->backing_object;
	self->nextpidx = self->lkpidx + (vm_pindex_t)(this->o->backing_object_offset >> VMTRACE_PAGE_SHIFT);
	self->lkobj = (vm_object_t)0;
	self->lkpidx = 0;
}

fbt::vm_pager_get_pages:entry
/self->infault || self->inexec/
{
	self->inio++;
	self->io = 1;
	self->io_start = self->inio == 1 ? timestamp : self->io_start;
}

fbt::vm_pager_get_pages:return
/self->inio > 0/
{
	self->inio--;
	self->io_ns += self->inio == 0 ? timestamp - self->io_start : 0;
}

fbt::vm_fault:return
/self->infault/
{
	printf("%d %d fault_end tid=%d rc=%d io=%d io_ns=%d\n",
	    timestamp, cpu, tid, arg1, self->io, self->io_ns);
	self->infault = 0;
	self->depth = 0;
	self->nextobj = (vm_object_t)0;
	self->nextpidx = 0;
	self->lookups = 0;
	self->why = 0;
	self->io = 0;
	self->io_ns = 0;
	self->inio = 0;
	self->io_start = 0;
}

/* ---- object locks (lockstat, the "vm object" rwlock) --------------------- */

/*
 * Only inside the paths vmreplay models (faults, fork, exec): lockstat fires
 * for every rwlock in the kernel. class=token names the object lock (the
 * role DragonFly's token plays). obj is the object around the lock; site is
 * the traced path's entry function.
 */
lockstat:::rw-acquire, lockstat:::rw-release, lockstat:::rw-upgrade, lockstat:::rw-block
{
	this->obj = (uintptr_t)0;	/* clause-local values are undefined until assigned in this firing */
}

lockstat:::rw-acquire, lockstat:::rw-release, lockstat:::rw-upgrade, lockstat:::rw-block
/(self->infault || self->infork || self->inexec) &&
    stringof(((struct lock_object *)arg0)->lo_name) == "vm object"/
{
	this->obj = (uintptr_t)(arg0 - offsetof(struct vm_object, lock));
	this->site = self->infault ? "vm_fault" : self->infork ? "vmspace_fork" : "exec_map_first_page";
}

lockstat:::rw-acquire
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=acq mode=%s site=%s class=token\n",
	    timestamp, cpu, tid, this->obj, arg1 == 1 ? "S" : "X", this->site);
}

lockstat:::rw-release
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=rel mode=%s site=%s class=token\n",
	    timestamp, cpu, tid, this->obj, arg1 == 1 ? "S" : "X", this->site);
}

lockstat:::rw-upgrade
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=upg mode=X site=%s class=token\n",
	    timestamp, cpu, tid, this->obj, this->site);
}

/* rw-block fires when the sleep is over, with its length: the wait began that long ago. */
lockstat:::rw-block
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=wait_beg mode=%s site=%s class=token\n",
	    timestamp - arg1, cpu, tid, this->obj, arg2 == 1 ? "S" : "X", this->site);
	printf("%d %d obj_lock tid=%d obj=0x%x op=wait_end mode=%s site=%s class=token\n",
	    timestamp, cpu, tid, this->obj, arg2 == 1 ? "S" : "X", this->site);
}

fbt::__rw_try_wlock_int:entry, fbt::__rw_try_rlock_int:entry, fbt::__rw_try_upgrade_int:entry
/(self->infault || self->infork || self->inexec) &&
    stringof(((struct lock_object *)arg0)->lo_name) == "vm object"/
{
	self->tryobj = (uintptr_t)(arg0 - offsetof(struct vm_object, lock));
	self->trymode = probefunc == "__rw_try_rlock_int" ? "S" : "X";
	self->trysite = self->infault ? "vm_fault" : self->infork ? "vmspace_fork" : "exec_map_first_page";
}

fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->tryobj && arg1 == 0/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=try_fail mode=%s site=%s class=token\n",
	    timestamp, cpu, tid, self->tryobj, self->trymode, self->trysite);
}

fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->tryobj/
{
	self->tryobj = 0;
	self->trymode = 0;
	self->trysite = 0;
}

/* ---- references, shadows, fork ------------------------------------------- */

/*
 * Not inside faults: every slow fault takes vm_object_reference_locked() on
 * its first object and drops it again (a +1/-1 pair per attempt, not an
 * operation of the workload). Not inside vm_object_shadow() or the fork copy
 * of an entry (those references are part of those events). site is the
 * reference function itself, as in the DragonFly kit.
 */
fbt::vm_object_reference:entry, fbt::vm_object_reference_locked:entry
/arg0 != 0 && !self->infault && !self->nest/
{
	this->o = (vm_object_t)arg0;
	printf("%d %d obj_ref tid=%d obj=0x%x otype=%s ref=%d delta=1 site=%s\n",
	    timestamp, cpu, tid, (uintptr_t)this->o, OTYPE(this->o), this->o->ref_count, probefunc);
}

fbt::vm_object_deallocate:entry
/arg0 != 0 && !self->infault && !self->nest/
{
	this->o = (vm_object_t)arg0;
	printf("%d %d obj_ref tid=%d obj=0x%x otype=%s ref=%d delta=-1 site=%s\n",
	    timestamp, cpu, tid, (uintptr_t)this->o, OTYPE(this->o), this->o->ref_count, probefunc);
}

/*
 * vm_object_shadow(objectp, offset, length, ...) (the trailing arguments
 * vary by release). The source (*objectp) may be NULL: a new object with
 * nothing behind it, not a shadow. An early return leaves *objectp as it was.
 */
fbt::vm_object_shadow:entry
{
	self->nest++;
	self->shadowp = args[0];
	self->source = *args[0];
	self->shadowsite = self->infault ? "vm_map_lookup" : self->infork ? "vmspace_fork" : "vm_object_shadow";
}

fbt::vm_object_shadow:return
/self->shadowp != NULL && self->source != NULL && *self->shadowp != self->source/
{
	printf("%d %d obj_shadow tid=%d obj=0x%x source=0x%x stype=%s site=%s\n",
	    timestamp, cpu, tid, (uintptr_t)*self->shadowp, (uintptr_t)self->source, OTYPE(self->source),
	    self->shadowsite);
}

fbt::vm_object_shadow:return
/self->shadowp != NULL/
{
	self->nest--;
	self->shadowp = (vm_object_t *)0;
	self->source = (vm_object_t)0;
	self->shadowsite = 0;
}

fbt::vmspace_fork:entry
{
	self->infork = 1;
#ifdef VMTRACE_NO_COPY_ENTRY
	self->nest++;		/* no per-entry probe: fork references are not logged at all */
#endif
}

fbt::vmspace_fork:return
/self->infork/
{
	self->infork = 0;
#ifdef VMTRACE_NO_COPY_ENTRY
	self->nest--;
#endif
}

#ifndef VMTRACE_NO_COPY_ENTRY
/*
 * FreeBSD's counterpart of DragonFly's vm_map_split: fork copying a
 * copy-on-write entry, vm_map_copy_entry(src_map, dst_map, src_entry,
 * dst_entry). Static, called only from vmspace_fork.
 */
fbt::vm_map_copy_entry:entry
/args[2]->object.vm_object != NULL/
{
	this->o = args[2]->object.vm_object;
	printf("%d %d map_split tid=%d obj=0x%x otype=%s\n",
	    timestamp, cpu, tid, (uintptr_t)this->o, OTYPE(this->o));
}

fbt::vm_map_copy_entry:entry
{
	self->nest++;
}

fbt::vm_map_copy_entry:return
/self->nest/
{
	self->nest--;
}
#endif

fbt::vm_object_collapse:entry
/args[0]->backing_object != NULL && args[0]->backing_object->backing_object != NULL/
{
	this->b = args[0]->backing_object;
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s bbobj=0x%x bbtype=%s\n",
	    timestamp, cpu, tid, (uintptr_t)args[0], (uintptr_t)this->b, OTYPE(this->b),
	    (uintptr_t)this->b->backing_object, OTYPE(this->b->backing_object));
}

fbt::vm_object_collapse:entry
/args[0]->backing_object != NULL && args[0]->backing_object->backing_object == NULL/
{
	this->b = args[0]->backing_object;
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s\n",
	    timestamp, cpu, tid, (uintptr_t)args[0], (uintptr_t)this->b, OTYPE(this->b));
}

/* ---- exec ------------------------------------------------------------------ */

/*
 * exec_map_first_page(imgp) maps page 0 of execve's image, then (same imgp)
 * of a script's interpreter, and of the ELF interpreter (ld-elf.so), which
 * load_file() maps with an image_params of its own whose `args` it never
 * sets (malloc without M_ZERO: garbage, not NULL). So only the first call in
 * an execve is named, from kern_execve's own args; fexecve has no fname.
 * kern_execve(td, args, ...) is exported on 12-14.
 */
fbt::kern_execve:entry
{
	self->inexecve = 1;
	self->execargs = args[1];
	self->named = 0;
}

fbt::kern_execve:return
/self->inexecve/
{
	self->inexecve = 0;
	self->execargs = (struct image_args *)0;
	self->named = 0;
}

fbt::exec_map_first_page:entry
{
	self->inexec = 1;
	self->io = 0;
	self->execobj = args[0]->vp->v_object;
}

fbt::exec_map_first_page:entry
/self->inexecve && !self->named && self->execobj != NULL &&
    self->execargs != NULL && self->execargs->fname != NULL/
{
	printf("%d %d obj_name obj=0x%x otype=vnode name=\"%s\" tid=%d\n",
	    timestamp, cpu, (uintptr_t)self->execobj, stringof(self->execargs->fname), tid);
}

fbt::exec_map_first_page:entry
/self->inexecve/
{
	self->named = 1;
}

/* The page was there unless the pager had to read it. */
fbt::exec_map_first_page:return
/self->inexec && self->execobj != NULL && arg1 == 0/
{
	printf("%d %d exec_page tid=%d obj=0x%x page=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->execobj, self->io ? "absent" : "valid");
}

fbt::exec_map_first_page:return
/self->inexec/
{
	self->inexec = 0;
	self->io = 0;
	self->io_ns = 0;
	self->inio = 0;
	self->io_start = 0;
	self->execobj = (vm_object_t)0;
}

/* Static in imgact_elf.c: often inlined, then absent (vmtrace.sh says so). */
fbt::elf64_load_section:entry
{
	printf("%d %d load_section tid=%d obj=0x%x\n", timestamp, cpu, tid, (uintptr_t)args[0]->object);
}

/* Not inside faults or exec_map_first_page (one event per operation). */
fbt::vm_page_grab:entry
/!self->inexec && !self->infault/
{
	self->grabobj = (vm_object_t)arg0;
	self->grabpage = "absent";
	self->grablooked = 0;
}

fbt::vm_page_lookup:return
/self->grabobj && !self->grablooked/
{
	this->m = (vm_page_t)arg1;
	self->grabpage = this->m == NULL ? "absent" : this->m->busy_lock != 1 ? "busy" : "present";
	self->grablooked = 1;
}

fbt::vm_page_grab:return
/self->grabobj/
{
	printf("%d %d page_grab tid=%d obj=0x%x page=%s site=vm_page_grab\n",
	    timestamp, cpu, tid, (uintptr_t)self->grabobj, self->grabpage);
	self->grabobj = (vm_object_t)0;
	self->grabpage = 0;
	self->grablooked = 0;
}

/* ---- processes ------------------------------------------------------------- */

/* proc:::create(child, parent, flags) */
proc:::create
{
	printf("%d %d proc_fork pid=%d child=%d tid=%d\n",
	    timestamp, cpu, args[1]->p_pid, args[0]->p_pid, tid);
}

proc:::exec-success
{
	printf("%d %d proc_exec pid=%d path=\"%s\" comm=\"%s\" tid=%d\n",
	    timestamp, cpu, pid, stringof(args[0]), execname, tid);
}

proc:::exit
{
	printf("%d %d proc_exit pid=%d tid=%d\n", timestamp, cpu, pid, tid);
}
