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
 * (static functions the compiler inlined have no fbt probe), picks the -D
 * options below, test-compiles the result (dtrace -e: a D error stops it on
 * the terminal, before tracing) and writes what it found at the top of the
 * output:
 *
 *	sh vmtrace.sh /var/tmp/vm.dtrace
 *
 * By hand: dtrace -C [-D ...] -Zs vmtrace.d -o /var/tmp/vm.dtrace
 *   -C  run cpp over this file (the #ifdefs below)
 *   -Z  a probe on a function this release lacks matches nothing instead of
 *       failing the script (vmtrace.sh says which ones)
 *   -D VMTRACE_KMAP_POINTER   FreeBSD 12 and older: `kernel_map` is a
 *                             vm_map_t variable (13+: `kernel_map_store`)
 *   -D VMTRACE_NO_<FUNCTION>  fbt::<function> is missing here: the clauses
 *                             that need it are left out (vmtrace.sh sets one
 *                             per missing probe of its list)
 *
 * Under -Z, a probe description that matches nothing leaves its clause with
 * no probe to take argument types from, and any args[N] there is a compile
 * error. So clauses of fbt probes read the untyped argN, cast, never args[].
 * Thread-locals are integers or pointers (strings are looked up in the
 * tables of BEGIN by number), and those a clause reads before the first
 * clause that assigns them are declared here.
 */

#pragma D option quiet
#pragma D option bufsize=64m
#pragma D option switchrate=10hz
#pragma D option dynvarsize=64m
#pragma D option strsize=256

self int infault, infork, inexec, inexecve, nest, trydepth, collapsing;
int vmt_collapse_lost;

#ifdef VMTRACE_KMAP_POINTER
#define	KERNEL_MAP	((uintptr_t)`kernel_map)
#else
#define	KERNEL_MAP	((uintptr_t)&`kernel_map_store)
#endif

/* OFF_TO_IDX() on amd64: pages are 4 KB. */
#define	VMTRACE_PAGE_SHIFT	12

/* Numbers kept in thread-locals; the names are looked up in BEGIN's tables. */
#define	WHY_RESTART	1
#define	WHY_BUSY	2
#define	WHY_MEMORY	3
#define	SITE_FAULT	1	/* vm_fault */
#define	SITE_FORK	2	/* vmspace_fork */
#define	SITE_EXEC	3	/* exec_map_first_page */
#define	SITE_LOOKUP	4	/* vm_map_lookup */
#define	SITE_SHADOW	5	/* vm_object_shadow */
#define	PAGE_ABSENT	1
#define	PAGE_BUSY	2
#define	PAGE_PRESENT	3

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

	vmt_why[WHY_RESTART] = "restart";
	vmt_why[WHY_BUSY] = "busy";
	vmt_why[WHY_MEMORY] = "memory";
	vmt_site[SITE_FAULT] = "vm_fault";
	vmt_site[SITE_FORK] = "vmspace_fork";
	vmt_site[SITE_EXEC] = "exec_map_first_page";
	vmt_site[SITE_LOOKUP] = "vm_map_lookup";
	vmt_site[SITE_SHADOW] = "vm_object_shadow";
	vmt_page[PAGE_ABSENT] = "absent";
	vmt_page[PAGE_BUSY] = "busy";
	vmt_page[PAGE_PRESENT] = "present";

	vmt_collapse_lost = 0;
	printf("# vmtrace.d 3 timestamp=%d walltimestamp=%d\n", timestamp, walltimestamp);
}

/* The type name of object type number `t`, of object `o` (dynamic types read "swap"). */
#define	TYPENAME(t)	(otype[(int)(t)] != "" ? otype[(int)(t)] : "swap")
#define	OTYPE(o)	TYPENAME((o)->type)

/* ---- faults ------------------------------------------------------------ */

/*
 * 13 and later: vm_fault(map, vaddr, fault_type, fault_flags, m_hold) is the
 * fault, and there is no vm_fault_hold. 12 and older: vm_fault(map, vaddr,
 * fault_type, fault_flags) is a wrapper around vm_fault_hold(map, vaddr,
 * fault_type, fault_flags, m_hold), which other callers
 * (vm_fault_quick_hold_pages, proc_rwmem) enter directly. The first of the
 * two a thread enters is the fault (12's vm_fault calling vm_fault_hold is
 * one fault); arguments 0-3 mean the same in both. On 13+ the vm_fault_hold
 * descriptions match nothing.
 * fflags are translated to DragonFly's VM_FAULT_* bits, the vocabulary's:
 * FreeBSD WIRE (0x1) -> CHANGE_WIRING (0x1), DIRTY (0x2) -> DIRTY (0x8);
 * NOFILL has no counterpart. A user fault has no BURST bit on FreeBSD.
 */
fbt::vm_fault:entry, fbt::vm_fault_hold:entry
/!self->infault/
{
	self->infault = probefunc == "vm_fault" ? 1 : 2;
	self->depth = 0;
	self->nextobj = (vm_object_t)0;
	self->nextpidx = (vm_pindex_t)0;
	self->lookups = 0;
	self->why = WHY_RESTART;
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
	self->lk_objp = (vm_object_t *)arg4;
	self->lk_pidxp = (vm_pindex_t *)arg5;
}

fbt::vm_map_lookup:entry
/self->infault && self->lookups > 1/
{
	printf("%d %d fault_retry tid=%d why=%s\n", timestamp, cpu, tid, vmt_why[self->why]);
	self->why = WHY_RESTART;
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
	self->why = WHY_BUSY;
}

fbt::vm_waitpfault:entry
/self->infault/
{
	self->why = WHY_MEMORY;
}

/*
 * One fault_obj per object level: the lookup of the page the fault walks,
 * (first object, first pindex), then (backing object, pindex + the backing
 * offset's pages), and so on. Lookups of other pages (prefault neighbours,
 * read-ahead inside the pager) and repeated lookups of a level (the unlocked
 * fast path, then the locked loop) do not match the next expected pair.
 * Pager I/O is excluded outright. vm_page_lookup_unlocked is 13+ only.
 */
fbt::vm_page_lookup:entry, fbt::vm_page_lookup_unlocked:entry
/self->infault && !self->inio && self->nextobj != NULL &&
    arg0 == (uintptr_t)self->nextobj && arg1 == self->nextpidx/
{
	self->lkobj = (vm_object_t)arg0;
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

/* The return of the function that began the fault (see fault_begin). */
fbt::vm_fault:return, fbt::vm_fault_hold:return
/self->infault == (probefunc == "vm_fault" ? 1 : 2)/
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
	this->site = "";
}

lockstat:::rw-acquire, lockstat:::rw-release, lockstat:::rw-upgrade, lockstat:::rw-block
/(self->infault || self->infork || self->inexec) &&
    stringof(((struct lock_object *)arg0)->lo_name) == "vm object"/
{
	this->obj = (uintptr_t)(arg0 - offsetof(struct vm_object, lock));
	this->site = vmt_site[self->infault ? SITE_FAULT : self->infork ? SITE_FORK : SITE_EXEC];
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

/*
 * Failed try-locks. rw_try_wlock() and rw_try_rlock() call the wrappers
 * __rw_try_wlock / __rw_try_rlock(&rw->rw_lock, file, line) on every kernel
 * (sys/rwlock.h); rw_try_upgrade() calls __rw_try_upgrade_int(rw) directly
 * unless LOCK_DEBUG, else its wrapper. Each wrapper calls its _int function,
 * which the compiler may inline into it, and then the _int probe never fires
 * for the VM's calls. So both are probed, and the outermost call on the
 * thread (depth 0 at its entry) is the one that reports.
 */
fbt::__rw_try_wlock:entry, fbt::__rw_try_rlock:entry, fbt::__rw_try_upgrade:entry
/self->trydepth == 0/
{
	self->tryrw = (uintptr_t)(arg0 - offsetof(struct rwlock, rw_lock));
	self->tryread = probefunc == "__rw_try_rlock";
}

fbt::__rw_try_wlock_int:entry, fbt::__rw_try_rlock_int:entry, fbt::__rw_try_upgrade_int:entry
/self->trydepth == 0/
{
	self->tryrw = (uintptr_t)arg0;
	self->tryread = probefunc == "__rw_try_rlock_int";
}

fbt::__rw_try_wlock:entry, fbt::__rw_try_rlock:entry, fbt::__rw_try_upgrade:entry,
fbt::__rw_try_wlock_int:entry, fbt::__rw_try_rlock_int:entry, fbt::__rw_try_upgrade_int:entry
/self->trydepth == 0 && (self->infault || self->infork || self->inexec) &&
    stringof(((struct lock_object *)self->tryrw)->lo_name) == "vm object"/
{
	self->tryobj = (uintptr_t)(self->tryrw - offsetof(struct vm_object, lock));
	self->trysite = self->infault ? SITE_FAULT : self->infork ? SITE_FORK : SITE_EXEC;
}

fbt::__rw_try_wlock:entry, fbt::__rw_try_rlock:entry, fbt::__rw_try_upgrade:entry,
fbt::__rw_try_wlock_int:entry, fbt::__rw_try_rlock_int:entry, fbt::__rw_try_upgrade_int:entry
{
	self->trydepth++;
}

fbt::__rw_try_wlock:return, fbt::__rw_try_rlock:return, fbt::__rw_try_upgrade:return,
fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->trydepth == 1 && self->tryobj && arg1 == 0/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=try_fail mode=%s site=%s class=token\n",
	    timestamp, cpu, tid, self->tryobj, self->tryread ? "S" : "X", vmt_site[self->trysite]);
}

fbt::__rw_try_wlock:return, fbt::__rw_try_rlock:return, fbt::__rw_try_upgrade:return,
fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->trydepth > 0/
{
	self->trydepth--;
}

fbt::__rw_try_wlock:return, fbt::__rw_try_rlock:return, fbt::__rw_try_upgrade:return,
fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->trydepth == 0 && self->tryrw/
{
	self->tryrw = 0;
	self->tryread = 0;
	self->tryobj = 0;
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
	self->shadowp = (vm_object_t *)arg0;
	self->source = *self->shadowp;
	self->shadowsite = self->infault ? SITE_LOOKUP : self->infork ? SITE_FORK : SITE_SHADOW;
}

fbt::vm_object_shadow:return
/self->shadowp != NULL && self->source != NULL && *self->shadowp != self->source/
{
	printf("%d %d obj_shadow tid=%d obj=0x%x source=0x%x stype=%s site=%s\n",
	    timestamp, cpu, tid, (uintptr_t)*self->shadowp, (uintptr_t)self->source, OTYPE(self->source),
	    vmt_site[self->shadowsite]);
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
#ifdef VMTRACE_NO_VM_MAP_COPY_ENTRY
	self->nest++;		/* no per-entry probe: fork references are not logged at all */
#endif
}

fbt::vmspace_fork:return
/self->infork/
{
	self->infork = 0;
#ifdef VMTRACE_NO_VM_MAP_COPY_ENTRY
	self->nest--;
#endif
}

#ifndef VMTRACE_NO_VM_MAP_COPY_ENTRY
/*
 * FreeBSD's counterpart of DragonFly's vm_map_split: fork copying a
 * copy-on-write entry, vm_map_copy_entry(src_map, dst_map, src_entry,
 * dst_entry). Static, called only from vmspace_fork.
 */
fbt::vm_map_copy_entry:entry
/((vm_map_entry_t)arg2)->object.vm_object != NULL/
{
	this->o = ((vm_map_entry_t)arg2)->object.vm_object;
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

/*
 * obj_collapse, one event per backing object removed. vm_object_collapse(object)
 * returns at once when there is nothing to do (13+: no backing object, or one
 * that is not anonymous or is being collapsed; 12: not DEFAULT/SWAP, dead,
 * paging), and otherwise loops, removing one backing object per pass:
 * "collapse" when the backing object has only this reference (its pages move
 * up, it is freed) or "bypass" when this object shadows all of it (it now
 * points past it); it stops when neither applies. Both replace
 * object->backing_object with the next object down. Entry saves the chain
 * (four levels, their types and ref_counts); return compares the new backing
 * object with the saved chain and logs one event per level removed, up to
 * three (the kernel's own test decides the case, backing_object->ref_count
 * == 1: the count saved at entry, which a bypass one level up has raised, so
 * a level under a bypass is a bypass). A call whose new backing object is not
 * in the saved chain (more than three levels, or another thread changed the
 * chain meanwhile) logs nothing and is counted at END.
 */
fbt::vm_object_collapse:entry
/!self->collapsing/
{
	self->collapsing = 1;
	self->colobj = (vm_object_t)arg0;
	self->colb1 = self->colobj->backing_object;
	self->colb2 = self->colb1 != NULL ? self->colb1->backing_object : (vm_object_t)0;
	self->colb3 = self->colb2 != NULL ? self->colb2->backing_object : (vm_object_t)0;
	self->colb4 = self->colb3 != NULL ? self->colb3->backing_object : (vm_object_t)0;
	self->colt1 = self->colb1 != NULL ? self->colb1->type : 0;
	self->colt2 = self->colb2 != NULL ? self->colb2->type : 0;
	self->colt3 = self->colb3 != NULL ? self->colb3->type : 0;
	self->colt4 = self->colb4 != NULL ? self->colb4->type : 0;
	self->colr1 = self->colb1 != NULL ? self->colb1->ref_count : 0;
	self->colr2 = self->colb2 != NULL ? self->colb2->ref_count : 0;
	self->colr3 = self->colb3 != NULL ? self->colb3->ref_count : 0;
}

fbt::vm_object_collapse:return
/self->collapsing/
{
	this->nb = self->colobj->backing_object;
	this->steps = self->colb1 == NULL || this->nb == self->colb1 ? 0 :
	    this->nb == self->colb2 ? 1 : this->nb == self->colb3 ? 2 :
	    this->nb == self->colb4 ? 3 : -1;
	this->case1 = self->colr1 == 1 ? "collapse" : "bypass";
	this->case2 = self->colr1 == 1 && self->colr2 == 1 ? "collapse" : "bypass";
	this->case3 = self->colr1 == 1 && self->colr2 == 1 && self->colr3 == 1 ? "collapse" : "bypass";
	vmt_collapse_lost += this->steps < 0 ? 1 : 0;
}

fbt::vm_object_collapse:return
/self->collapsing && this->steps >= 1 && self->colb2 != NULL/
{
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s bbobj=0x%x bbtype=%s case=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->colobj, (uintptr_t)self->colb1, TYPENAME(self->colt1),
	    (uintptr_t)self->colb2, TYPENAME(self->colt2), this->case1);
}

fbt::vm_object_collapse:return
/self->collapsing && this->steps >= 1 && self->colb2 == NULL/
{
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s case=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->colobj, (uintptr_t)self->colb1, TYPENAME(self->colt1),
	    this->case1);
}

fbt::vm_object_collapse:return
/self->collapsing && this->steps >= 2 && self->colb3 != NULL/
{
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s bbobj=0x%x bbtype=%s case=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->colobj, (uintptr_t)self->colb2, TYPENAME(self->colt2),
	    (uintptr_t)self->colb3, TYPENAME(self->colt3), this->case2);
}

fbt::vm_object_collapse:return
/self->collapsing && this->steps >= 2 && self->colb3 == NULL/
{
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s case=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->colobj, (uintptr_t)self->colb2, TYPENAME(self->colt2),
	    this->case2);
}

fbt::vm_object_collapse:return
/self->collapsing && this->steps >= 3 && self->colb4 != NULL/
{
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s bbobj=0x%x bbtype=%s case=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->colobj, (uintptr_t)self->colb3, TYPENAME(self->colt3),
	    (uintptr_t)self->colb4, TYPENAME(self->colt4), this->case3);
}

fbt::vm_object_collapse:return
/self->collapsing && this->steps >= 3 && self->colb4 == NULL/
{
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s case=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->colobj, (uintptr_t)self->colb3, TYPENAME(self->colt3),
	    this->case3);
}

fbt::vm_object_collapse:return
/self->collapsing/
{
	self->collapsing = 0;
	self->colobj = (vm_object_t)0;
	self->colb1 = (vm_object_t)0;
	self->colb2 = (vm_object_t)0;
	self->colb3 = (vm_object_t)0;
	self->colb4 = (vm_object_t)0;
	self->colt1 = 0;
	self->colt2 = 0;
	self->colt3 = 0;
	self->colt4 = 0;
	self->colr1 = 0;
	self->colr2 = 0;
	self->colr3 = 0;
}

/* ---- exec ------------------------------------------------------------------ */

/*
 * exec_map_first_page(imgp) maps page 0 of execve's image, then (same imgp)
 * of a script's interpreter, and of the ELF interpreter (ld-elf.so), which
 * load_file() maps with an image_params of its own whose `args` it never
 * sets (malloc without M_ZERO: garbage, not NULL). So only the first call in
 * an execve is named, from kern_execve's own args; fexecve has no fname.
 * kern_execve(td, args, ...) is exported on 12-14; if the compiler inlined it
 * into sys_execve, this probe never fires for execve(2) (vmtrace.sh checks).
 */
fbt::kern_execve:entry
{
	self->inexecve = 1;
	self->execargs = (struct image_args *)arg1;
	self->named = 0;
}

fbt::kern_execve:return
/self->inexecve/
{
	self->inexecve = 0;
	self->execargs = (struct image_args *)0;
	self->named = 0;
}

/* v_object is a macro in sys/vnode.h (v_bufobj.bo_object): D sees only the member. */
fbt::exec_map_first_page:entry
{
	self->inexec = 1;
	self->io = 0;
	self->execobj = ((struct image_params *)arg0)->vp->v_bufobj.bo_object;
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

#ifndef VMTRACE_NO_ELF64_LOAD_SECTION
/* Static in imgact_elf.c, load_section(imgp, offset, ...): often inlined, then left out. */
fbt::elf64_load_section:entry
{
	printf("%d %d load_section tid=%d obj=0x%x\n", timestamp, cpu, tid,
	    (uintptr_t)((struct image_params *)arg0)->object);
}
#endif

/*
 * Not inside faults or exec_map_first_page (one event per operation). The
 * page is what the first vm_page_lookup inside found; vmtrace.sh checks that
 * vm_page_grab calls it through its probe (not inlined).
 */
fbt::vm_page_grab:entry
/!self->inexec && !self->infault/
{
	self->grabobj = (vm_object_t)arg0;
	self->grabpage = PAGE_ABSENT;
	self->grablooked = 0;
}

fbt::vm_page_lookup:return
/self->grabobj && !self->grablooked/
{
	this->m = (vm_page_t)arg1;
	self->grabpage = this->m == NULL ? PAGE_ABSENT : this->m->busy_lock != 1 ? PAGE_BUSY : PAGE_PRESENT;
	self->grablooked = 1;
}

fbt::vm_page_grab:return
/self->grabobj/
{
	printf("%d %d page_grab tid=%d obj=0x%x page=%s site=vm_page_grab\n",
	    timestamp, cpu, tid, (uintptr_t)self->grabobj, vmt_page[self->grabpage]);
	self->grabobj = (vm_object_t)0;
	self->grabpage = 0;
	self->grablooked = 0;
}

/* ---- processes ------------------------------------------------------------- */

/* proc:::create(child, parent, flags): an SDT probe, always there. */
proc:::create
{
	printf("%d %d proc_fork pid=%d child=%d tid=%d\n",
	    timestamp, cpu, args[1]->p_pid, args[0]->p_pid, tid);
}

/* exec-success(path): vmtrace.sh checks for it, so untyped. */
proc:::exec-success
{
	printf("%d %d proc_exec pid=%d path=\"%s\" comm=\"%s\" tid=%d\n",
	    timestamp, cpu, pid, stringof((char *)arg0), execname, tid);
}

proc:::exit
{
	printf("%d %d proc_exit pid=%d tid=%d\n", timestamp, cpu, pid, tid);
}

/* Calls whose collapsed levels could not be told apart (see obj_collapse). */
END
/vmt_collapse_lost > 0/
{
	printf("# vmtrace: missing obj_collapse: %d calls of vm_object_collapse removed more than three levels or raced with another thread: their levels are not logged\n",
	    vmt_collapse_lost);
}
