#!/usr/sbin/dtrace -Zs
/*
 * vmtrace.d - vmreplay's event vocabulary from a stock FreeBSD kernel (12-14,
 * amd64), with fbt on the fault path and lockstat on the "vm object" rwlock.
 *
 * Output: one event per line, `<timestamp_ns> <cpu> <event> key=value ...`,
 * where timestamp is DTrace's `timestamp` (ns since boot, one clock for all
 * CPUs). The first line ties it to the wall clock.
 *
 *	dtrace -Zs vmtrace.d -o /var/tmp/vm.dtrace
 *
 * -Z: some probes name functions that a given release inlines or renamed;
 * they then match nothing instead of failing the script. See README.md for
 * what each event can and cannot see.
 */

#pragma D option quiet
#pragma D option bufsize=64m
#pragma D option switchrate=10hz
#pragma D option dynvarsize=64m
#pragma D option strsize=256

/*
 * enum obj_type of sys/vm/vm.h. This table is the FreeBSD 12/13 order; check
 * yours. Anonymous memory that a release keeps as OBJT_SWAP reads "swap",
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
	otype[8] = "swap";		/* OBJT_SWAP_TMPFS where it exists */

	ftype[0] = "R";			/* vm_fault is not called with VM_PROT_NONE */
	ftype[1] = "R";
	ftype[2] = "W";
	ftype[3] = "RW";
	ftype[4] = "X";
	ftype[5] = "RX";
	ftype[6] = "WX";
	ftype[7] = "RWX";

	printf("# vmtrace.d 1 timestamp=%d walltimestamp=%d\n", timestamp, walltimestamp);
}

/* ---- faults ------------------------------------------------------------ */

/*
 * fflags are translated to DragonFly's VM_FAULT_* bits, the vocabulary's:
 * FreeBSD WIRE (0x1) -> CHANGE_WIRING (0x1), DIRTY (0x2) -> DIRTY (0x8);
 * NOFILL has no counterpart. A user fault has no BURST bit on FreeBSD.
 */
fbt::vm_fault:entry
{
	self->infault = 1;
	self->depth = 0;
	self->lastobj = 0;
	self->lookups = 0;
	self->why = "restart";
	self->io = 0;
	self->io_ns = 0;
	self->prefault = 0;
	printf("%d %d fault_begin tid=%d pid=%d va=0x%x ftype=%s fflags=0x%x nthreads=%d map=%s comm=\"%s\"\n",
	    timestamp, cpu, tid, pid, arg1, ftype[arg2 & 7],
	    ((arg3 & 1) ? 0x1 : 0) | ((arg3 & 2) ? 0x8 : 0),
	    curthread->td_proc->p_numthreads,
	    arg0 == (uintptr_t)`kernel_map ? "kernel" : "user", execname);
}

/* Every restart of the fault looks the map up again. */
fbt::vm_map_lookup:entry
/self->infault/
{
	self->lookups++;
}

fbt::vm_map_lookup:entry
/self->infault && self->lookups > 1/
{
	printf("%d %d fault_retry tid=%d why=%s\n", timestamp, cpu, tid, self->why);
	self->depth = 0;
	self->lastobj = 0;
	self->why = "restart";
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

/* After the page is in, prefaulting looks up neighbours: not fault levels. */
fbt::vm_fault_prefault:entry
/self->infault/
{
	self->prefault = 1;
}

/*
 * One fault_obj per object level: each page lookup of the fault on a new
 * object (the unlocked fast-path lookup and the locked one on the same
 * object count once).
 */
fbt::vm_page_lookup:entry, fbt::vm_page_lookup_unlocked:entry
/self->infault && !self->prefault/
{
	self->lkobj = (vm_object_t)arg0;
}

fbt::vm_page_lookup:return, fbt::vm_page_lookup_unlocked:return
/self->lkobj && self->lkobj != self->lastobj/
{
	this->o = self->lkobj;
	this->m = (vm_page_t)arg1;
	this->page = this->m == NULL ? "absent" :
	    this->m->busy_lock != 1 ? "busy" :		/* VPB_UNBUSIED */
	    this->m->valid == 0xff ? "valid" : "invalid";	/* VM_PAGE_BITS_ALL, 4K pages */
	printf("%d %d fault_obj tid=%d depth=%d obj=0x%x otype=%s page=%s backing=%d shadowed=%d ref=%d\n",
	    timestamp, cpu, tid, self->depth, (uintptr_t)this->o, otype[this->o->type], this->page,
	    this->o->backing_object != NULL, this->o->shadow_count > 0, this->o->ref_count);
	self->depth++;
	self->lastobj = self->lkobj;
}

fbt::vm_page_lookup:return, fbt::vm_page_lookup_unlocked:return
/self->lkobj/
{
	self->lkobj = 0;
}

fbt::vm_pager_get_pages:entry
/self->infault || self->inexec/
{
	self->io = 1;
	self->io_start = timestamp;
}

fbt::vm_pager_get_pages:return
/self->io_start/
{
	self->io_ns += timestamp - self->io_start;
	self->io_start = 0;
}

fbt::vm_fault:return
/self->infault/
{
	printf("%d %d fault_end tid=%d rc=%d io=%d io_ns=%d\n",
	    timestamp, cpu, tid, arg1, self->io, self->io_ns);
	self->infault = 0;
	self->depth = 0;
	self->lastobj = 0;
	self->lookups = 0;
	self->why = 0;
	self->io = 0;
	self->io_ns = 0;
	self->prefault = 0;
}

/* ---- object locks (lockstat, the "vm object" rwlock) --------------------- */

/*
 * Only inside the paths vmreplay models (faults, fork, exec): lockstat fires
 * for every rwlock in the kernel. class=token names the object lock (the
 * role DragonFly's token plays). obj is the object around the lock.
 */
lockstat:::rw-acquire, lockstat:::rw-release, lockstat:::rw-upgrade, lockstat:::rw-block
{
	this->obj = 0;	/* clause-local values are undefined until assigned in this firing */
}

lockstat:::rw-acquire, lockstat:::rw-release, lockstat:::rw-upgrade, lockstat:::rw-block
/(self->infault || self->infork || self->inexec) &&
    stringof(((struct lock_object *)arg0)->lo_name) == "vm object"/
{
	this->obj = arg0 - offsetof(struct vm_object, lock);
}

lockstat:::rw-acquire
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=acq mode=%s site=%a class=token\n",
	    timestamp, cpu, tid, (uintptr_t)this->obj, arg1 == 1 ? "S" : "X", caller);
}

lockstat:::rw-release
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=rel mode=%s site=%a class=token\n",
	    timestamp, cpu, tid, (uintptr_t)this->obj, arg1 == 1 ? "S" : "X", caller);
}

lockstat:::rw-upgrade
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=upg mode=X site=%a class=token\n",
	    timestamp, cpu, tid, (uintptr_t)this->obj, caller);
}

/* rw-block fires when the sleep is over, with its length: the wait began that long ago. */
lockstat:::rw-block
/this->obj/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=wait_beg mode=%s site=%a class=token\n",
	    timestamp - arg1, cpu, tid, (uintptr_t)this->obj, arg2 == 1 ? "S" : "X", caller);
	printf("%d %d obj_lock tid=%d obj=0x%x op=wait_end mode=%s site=%a class=token\n",
	    timestamp, cpu, tid, (uintptr_t)this->obj, arg2 == 1 ? "S" : "X", caller);
}

fbt::__rw_try_wlock_int:entry, fbt::__rw_try_rlock_int:entry, fbt::__rw_try_upgrade_int:entry
/(self->infault || self->infork || self->inexec) &&
    stringof(((struct lock_object *)arg0)->lo_name) == "vm object"/
{
	self->tryobj = arg0 - offsetof(struct vm_object, lock);
	self->trymode = probefunc == "__rw_try_rlock_int" ? "S" : "X";
}

fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->tryobj && arg1 == 0/
{
	printf("%d %d obj_lock tid=%d obj=0x%x op=try_fail mode=%s site=%a class=token\n",
	    timestamp, cpu, tid, (uintptr_t)self->tryobj, self->trymode, caller);
}

fbt::__rw_try_wlock_int:return, fbt::__rw_try_rlock_int:return, fbt::__rw_try_upgrade_int:return
/self->tryobj/
{
	self->tryobj = 0;
	self->trymode = 0;
}

/* ---- references, shadows, fork ------------------------------------------- */

/* References taken inside vm_object_shadow and the fork copy are part of those events. */
fbt::vm_object_reference:entry, fbt::vm_object_reference_locked:entry
/arg0 != 0 && !self->nest/
{
	this->o = (vm_object_t)arg0;
	printf("%d %d obj_ref tid=%d obj=0x%x otype=%s ref=%d delta=1 site=%a\n",
	    timestamp, cpu, tid, (uintptr_t)this->o, otype[this->o->type], this->o->ref_count, caller);
}

fbt::vm_object_deallocate:entry
/arg0 != 0 && !self->nest/
{
	this->o = (vm_object_t)arg0;
	printf("%d %d obj_ref tid=%d obj=0x%x otype=%s ref=%d delta=-1 site=%a\n",
	    timestamp, cpu, tid, (uintptr_t)this->o, otype[this->o->type], this->o->ref_count, caller);
}

fbt::vm_object_shadow:entry
{
	self->nest++;
	self->shadowp = args[0];
	self->source = *args[0];
	self->shadowsite = caller;
}

/* No new object when the source needed no shadow (a private anonymous object). */
fbt::vm_object_shadow:return
/self->shadowp && *self->shadowp != self->source/
{
	printf("%d %d obj_shadow tid=%d obj=0x%x source=0x%x stype=%s site=%a\n",
	    timestamp, cpu, tid, (uintptr_t)*self->shadowp, (uintptr_t)self->source, otype[self->source->type],
	    self->shadowsite);
}

fbt::vm_object_shadow:return
/self->shadowp/
{
	self->nest--;
	self->shadowp = 0;
	self->source = 0;
	self->shadowsite = 0;
}

fbt::vmspace_fork:entry
{
	self->infork = 1;
}

fbt::vmspace_fork:return
{
	self->infork = 0;
}

/* FreeBSD's counterpart of DragonFly's vm_map_split: fork copying a copy-on-write entry. */
fbt::vm_map_copy_entry:entry
/args[2]->object.vm_object != NULL/
{
	this->o = args[2]->object.vm_object;
	printf("%d %d map_split tid=%d obj=0x%x otype=%s\n",
	    timestamp, cpu, tid, (uintptr_t)this->o, otype[this->o->type]);
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

fbt::vm_object_collapse:entry
/args[0]->backing_object != NULL && args[0]->backing_object->backing_object != NULL/
{
	this->b = args[0]->backing_object;
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s bbobj=0x%x bbtype=%s\n",
	    timestamp, cpu, tid, (uintptr_t)args[0], (uintptr_t)this->b, otype[this->b->type],
	    (uintptr_t)this->b->backing_object, otype[this->b->backing_object->type]);
}

fbt::vm_object_collapse:entry
/args[0]->backing_object != NULL && args[0]->backing_object->backing_object == NULL/
{
	this->b = args[0]->backing_object;
	printf("%d %d obj_collapse tid=%d obj=0x%x backing=0x%x btype=%s\n",
	    timestamp, cpu, tid, (uintptr_t)args[0], (uintptr_t)this->b, otype[this->b->type]);
}

/* ---- exec ------------------------------------------------------------------ */

fbt::exec_map_first_page:entry
{
	self->inexec = 1;
	self->io = 0;
	self->execobj = args[0]->vp->v_object;
	printf("%d %d obj_name obj=0x%x otype=vnode name=\"%s\" tid=%d\n",
	    timestamp, cpu, (uintptr_t)self->execobj, stringof(args[0]->args->fname), tid);
}

/* The page was there unless the pager had to read it. */
fbt::exec_map_first_page:return
/self->inexec/
{
	printf("%d %d exec_page tid=%d obj=0x%x page=%s\n",
	    timestamp, cpu, tid, (uintptr_t)self->execobj, self->io ? "absent" : "valid");
	self->inexec = 0;
	self->io = 0;
	self->io_ns = 0;
	self->execobj = 0;
}

fbt::elf64_load_section:entry
{
	printf("%d %d load_section tid=%d obj=0x%x\n", timestamp, cpu, tid, (uintptr_t)args[0]->object);
}

/* Not inside exec_map_first_page (one event per operation). */
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
	printf("%d %d page_grab tid=%d obj=0x%x page=%s site=%a\n",
	    timestamp, cpu, tid, (uintptr_t)self->grabobj, self->grabpage, caller);
	self->grabobj = 0;
	self->grabpage = 0;
	self->grablooked = 0;
}

/* ---- processes ------------------------------------------------------------- */

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
