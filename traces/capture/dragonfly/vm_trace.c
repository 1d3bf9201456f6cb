/*
 * vm_trace.c - vmtrace KTR events for vmreplay (DragonFly BSD, trees of the
 * 501747bf era: its parent, 501747bf and 61dac052; see README.md).
 *
 * Install as sys/vm/vm_trace.c, with
 *	sys/conf/files:		vm/vm_trace.c		optional ktr
 *	sys/conf/options:	KTR_VMTRACE		opt_ktr.h
 *
 * One KTR_INFO per event, ID `vmtrace_<event>`, whose format prints the
 * event's keys as `key=value` (so `ktrdump -p` prints vmreplay's payload).
 * ktrdump formats the logged arguments itself (usr.bin/ktrdump kvmfprintf),
 * which understands %d %u %x %o %p %s and the l/ll/j size prefixes: no %c,
 * no '#' flag, hence `0x%x`. A %s argument is a kernel pointer that ktrdump
 * reads when it runs: only pointers to string literals, or to
 * vmtrace_strsave() copies, are passed.
 *
 * KTR_LOG() evaluates its arguments more than once (a format check, the
 * copy into the entry, and a kprintf when ktr_verbose is set), so every
 * argument is computed into a local first: a vmtrace_strsave() in the
 * argument list would take two ring slots and log the second.
 *
 * A few events have a second KTR_INFO for the case where optional keys are
 * unknown or an extra key applies (a fault whose map lookup failed, a failed
 * fault, a fault_obj of another entry point, a collapse with no second
 * backing object). Their trace column starts with the event name, which
 * vmreplay takes over the ID. Both share the event's mask bit.
 */

#include "opt_ktr.h"

#if defined(KTR) && defined(KTR_VMTRACE)

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/ktr.h>
#include <sys/proc.h>
#include <sys/thread.h>

#include <machine/atomic.h>

#include <vm/vm.h>
#include <vm/vm_kern.h>		/* kernel_map */
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_map.h>
#include <vm/vm_trace.h>

KTR_INFO_MASTER(vmtrace);

KTR_INFO(KTR_VMTRACE, vmtrace, fault_begin, 0,
    "tid=%d pid=%d va=%p ftype=%s fflags=0x%x nthreads=%d map=%s maptype=%s wired=%d",
    int tid, int pid, void *va, const char *ftype, int fflags, int nthreads,
    const char *map, const char *maptype, int wired);
KTR_INFO(KTR_VMTRACE, vmtrace, fault_begin_nomap, 0,
    "fault_begin tid=%d pid=%d va=%p ftype=%s fflags=0x%x nthreads=%d map=%s",
    int tid, int pid, void *va, const char *ftype, int fflags, int nthreads,
    const char *map);
/* The last %s is "", " pager=has" or " pager=none": the pager key only when it was asked. */
KTR_INFO(KTR_VMTRACE, vmtrace, fault_obj, 1,
    "tid=%d depth=%d obj=%p otype=%s page=%s backing=%d shadowed=%d swapped=%d ref=%d%s",
    int tid, int depth, struct vm_object *obj, const char *otype, const char *page,
    int backing, int shadowed, int swapped, int ref, const char *pager);
/* A walk run by vm_fault_page(), vm_fault_object_page() or vm_fault_vpagetable(). */
KTR_INFO(KTR_VMTRACE, vmtrace, fault_obj_entry, 1,
    "fault_obj tid=%d depth=%d obj=%p otype=%s page=%s backing=%d shadowed=%d swapped=%d ref=%d entry=%s%s",
    int tid, int depth, struct vm_object *obj, const char *otype, const char *page,
    int backing, int shadowed, int swapped, int ref, const char *entry,
    const char *pager);
KTR_INFO(KTR_VMTRACE, vmtrace, fault_retry, 2,
    "tid=%d why=%s",
    int tid, const char *why);
KTR_INFO(KTR_VMTRACE, vmtrace, fault_end, 3,
    "tid=%d rc=%d depth=%d action=%s io=%d io_ns=%ld",
    int tid, int rc, int depth, const char *action, int io, long io_ns);
KTR_INFO(KTR_VMTRACE, vmtrace, fault_fail, 3,
    "fault_end tid=%d rc=%d",
    int tid, int rc);
KTR_INFO(KTR_VMTRACE, vmtrace, obj_lock, 4,
    "tid=%d obj=%p op=%s mode=%s site=%s class=%s",
    int tid, struct vm_object *obj, const char *op, const char *mode,
    const char *site, const char *class);
KTR_INFO(KTR_VMTRACE, vmtrace, obj_ref, 5,
    "tid=%d obj=%p otype=%s ref=%d delta=%d site=%s",
    int tid, struct vm_object *obj, const char *otype, int ref, int delta,
    const char *site);
KTR_INFO(KTR_VMTRACE, vmtrace, obj_shadow, 6,
    "tid=%d obj=%p source=%p stype=%s site=%s",
    int tid, struct vm_object *obj, struct vm_object *source, const char *stype,
    const char *site);
KTR_INFO(KTR_VMTRACE, vmtrace, map_split, 7,
    "tid=%d obj=%p otype=%s",
    int tid, struct vm_object *obj, const char *otype);
KTR_INFO(KTR_VMTRACE, vmtrace, exec_page, 8,
    "tid=%d obj=%p page=%s",
    int tid, struct vm_object *obj, const char *page);
KTR_INFO(KTR_VMTRACE, vmtrace, page_grab, 9,
    "tid=%d obj=%p page=%s",
    int tid, struct vm_object *obj, const char *page);
KTR_INFO(KTR_VMTRACE, vmtrace, obj_collapse, 10,
    "tid=%d obj=%p backing=%p btype=%s bbobj=%p bbtype=%s case=%s",
    int tid, struct vm_object *obj, struct vm_object *backing, const char *btype,
    struct vm_object *bbobj, const char *bbtype, const char *kase);
KTR_INFO(KTR_VMTRACE, vmtrace, obj_collapse_nobb, 10,
    "obj_collapse tid=%d obj=%p backing=%p btype=%s case=%s",
    int tid, struct vm_object *obj, struct vm_object *backing, const char *btype,
    const char *kase);
KTR_INFO(KTR_VMTRACE, vmtrace, obj_name, 11,
    "obj=%p otype=%s name=\"%s\" tid=%d",
    struct vm_object *obj, const char *otype, const char *name, int tid);
KTR_INFO(KTR_VMTRACE, vmtrace, load_section, 12,
    "tid=%d obj=%p",
    int tid, struct vm_object *obj);
KTR_INFO(KTR_VMTRACE, vmtrace, proc_fork, 13,
    "pid=%d child=%d tid=%d",
    int pid, int child, int tid);
KTR_INFO(KTR_VMTRACE, vmtrace, proc_exec, 14,
    "pid=%d path=\"%s\" comm=\"%s\" tid=%d",
    int pid, const char *path, const char *comm, int tid);
KTR_INFO(KTR_VMTRACE, vmtrace, proc_exit, 15,
    "pid=%d tid=%d",
    int pid, int tid);

/*
 * Thread ids. DragonFly's lwp_tid is only unique within its process, and
 * vmreplay ties a fault's events together by tid, so user threads get
 * pid * 1000 + lwp_tid (unique while a process has fewer than 1000 threads)
 * and kernel threads a negative number derived from their thread address.
 */
int
vmtrace_tid(void)
{
	thread_t td = curthread;

	if (td->td_proc != NULL && td->td_lwp != NULL)
		return (td->td_proc->p_pid * 1000 + td->td_lwp->lwp_tid % 1000);
	return (-(int)(((uintptr_t)td >> 6) & 0x3fffffff));
}

const char *
vmtrace_otype(struct vm_object *obj)
{
	switch (obj->type) {
	case OBJT_DEFAULT:	return ("default");
	case OBJT_SWAP:		return ("swap");
	case OBJT_VNODE:	return ("vnode");
	case OBJT_DEVICE:	return ("device");
	case OBJT_MGTDEVICE:	return ("mgtdevice");
	case OBJT_PHYS:		return ("phys");
	default:		return ("dead");	/* OBJT_DEAD, OBJT_MARKER */
	}
}

/* R, W, X letters of a vm_prot_t (vm_fault is never called with VM_PROT_NONE). */
static const char *const vmtrace_ftypes[8] = {
	"R", "R", "W", "RW", "X", "RX", "WX", "RWX"
};

/*
 * KTR keeps only a pointer for %s, read when ktrdump runs, so names are
 * copied into a ring. A slot is reused after VMTRACE_NSTRS saves; an exec
 * saves three (obj_name's path, proc_exec's path and comm). Quotes and
 * backslashes become '?' so the value stays one quoted string.
 */
#define VMTRACE_NSTRS	8192
#define VMTRACE_STRLEN	128
static char vmtrace_strs[VMTRACE_NSTRS][VMTRACE_STRLEN];
static u_int vmtrace_strnext;

const char *
vmtrace_strsave(const char *s)
{
	char *d = vmtrace_strs[atomic_fetchadd_int(&vmtrace_strnext, 1) % VMTRACE_NSTRS];
	int i;

	if (s == NULL)
		s = "";
	for (i = 0; i < VMTRACE_STRLEN - 1 && s[i] != 0; ++i)
		d[i] = (s[i] == '"' || s[i] == '\\') ? '?' : s[i];
	d[i] = 0;
	return (d);
}

static int
vmtrace_nthreads(void)
{
	struct proc *p = curthread->td_proc;

	return (p != NULL ? p->p_nthreads : 1);
}

void
vmtrace_fault_begin(struct vm_map *map, vm_offset_t va, vm_prot_t ftype,
    int fflags, struct vm_map_entry *entry)
{
	struct proc *p = curthread->td_proc;
	int tid = vmtrace_tid();
	int pid = p ? p->p_pid : 0;
	int nthreads = vmtrace_nthreads();
	const char *ft = vmtrace_ftypes[ftype & 7];
	const char *mapname = (map == &kernel_map) ? "kernel" : "user";
	const char *maptype;
	int wired;

	if (entry == NULL) {
		KTR_LOG(vmtrace_fault_begin_nomap, tid, pid, (void *)va, ft,
		    fflags, nthreads, mapname);
		return;
	}
	maptype = entry->maptype == VM_MAPTYPE_VPAGETABLE ? "vpagetable" : "normal";
	wired = entry->wired_count != 0;
	KTR_LOG(vmtrace_fault_begin, tid, pid, (void *)va, ft, fflags, nthreads,
	    mapname, maptype, wired);
}

void
vmtrace_fault_obj(const char *entry, int depth, struct vm_object *obj,
    const char *page, struct vm_page *m, const char *pager)
{
	int tid = vmtrace_tid();
	const char *otype = vmtrace_otype(obj);
	int backing = obj->backing_object != NULL;
	int shadowed = !LIST_EMPTY(&obj->shadow_head);
	int swapped = m != NULL && (m->flags & PG_SWAPPED) != 0;
	int ref = obj->ref_count;
	const char *suffix = "";

	if (pager != NULL)
		suffix = (pager[0] == 'h') ? " pager=has" : " pager=none";
	if (entry != NULL) {
		KTR_LOG(vmtrace_fault_obj_entry, tid, depth, obj, otype, page,
		    backing, shadowed, swapped, ref, entry, suffix);
		return;
	}
	KTR_LOG(vmtrace_fault_obj, tid, depth, obj, otype, page, backing,
	    shadowed, swapped, ref, suffix);
}

void
vmtrace_fault_retry(const char *why)
{
	int tid = vmtrace_tid();
	const char *w = why != NULL ? why : "unknown";

	KTR_LOG(vmtrace_fault_retry, tid, w);
}

void
vmtrace_fault_end(int rc, int depth, const char *action, int io, long io_ns)
{
	int tid = vmtrace_tid();

	if (rc != KERN_SUCCESS || action == NULL) {
		KTR_LOG(vmtrace_fault_fail, tid, rc);
		return;
	}
	KTR_LOG(vmtrace_fault_end, tid, rc, depth, action, io, io_ns);
}

void
vmtrace_obj_lock(struct vm_object *obj, const char *op, int exclusive,
    const char *site, const char *class)
{
	int tid = vmtrace_tid();
	const char *mode = exclusive ? "X" : "S";

	KTR_LOG(vmtrace_obj_lock, tid, obj, op, mode, site, class);
}

void
vmtrace_obj_ref(struct vm_object *obj, int delta, int ref, const char *site)
{
	int tid = vmtrace_tid();
	const char *otype = vmtrace_otype(obj);

	KTR_LOG(vmtrace_obj_ref, tid, obj, otype, ref, delta, site);
}

void
vmtrace_obj_shadow(struct vm_object *result, struct vm_object *source,
    const char *site)
{
	int tid;
	const char *stype;

	/* No new object (vm_object_shadow()'s early return), or nothing shadowed. */
	if (result == source || source == NULL || result == NULL)
		return;
	tid = vmtrace_tid();
	stype = vmtrace_otype(source);
	KTR_LOG(vmtrace_obj_shadow, tid, result, source, stype, site);
}

void
vmtrace_map_split(struct vm_object *obj)
{
	int tid = vmtrace_tid();
	const char *otype = vmtrace_otype(obj);

	KTR_LOG(vmtrace_map_split, tid, obj, otype);
}

void
vmtrace_exec_page(struct vm_object *obj, const char *page)
{
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_exec_page, tid, obj, page);
}

void
vmtrace_page_grab(struct vm_object *obj, const char *page)
{
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_page_grab, tid, obj, page);
}

void
vmtrace_obj_collapse(struct vm_object *obj, struct vm_object *backing,
    struct vm_object *bbobj, const char *kase)
{
	int tid = vmtrace_tid();
	const char *btype = vmtrace_otype(backing);
	const char *bbtype;

	if (bbobj == NULL) {
		KTR_LOG(vmtrace_obj_collapse_nobb, tid, obj, backing, btype, kase);
		return;
	}
	bbtype = vmtrace_otype(bbobj);
	KTR_LOG(vmtrace_obj_collapse, tid, obj, backing, btype, bbobj, bbtype,
	    kase);
}

void
vmtrace_obj_name(struct vm_object *obj, const char *name)
{
	const char *otype = vmtrace_otype(obj);
	const char *saved = vmtrace_strsave(name);
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_obj_name, obj, otype, saved, tid);
}

void
vmtrace_load_section(struct vm_object *obj)
{
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_load_section, tid, obj);
}

void
vmtrace_proc_fork(struct proc *parent, struct proc *child)
{
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_proc_fork, parent->p_pid, child->p_pid, tid);
}

void
vmtrace_proc_exec(struct proc *p, const char *path)
{
	const char *spath = vmtrace_strsave(path);
	const char *scomm = vmtrace_strsave(p->p_comm);
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_proc_exec, p->p_pid, spath, scomm, tid);
}

void
vmtrace_proc_exit(struct proc *p)
{
	int tid = vmtrace_tid();

	KTR_LOG(vmtrace_proc_exit, p->p_pid, tid);
}

#endif	/* KTR && KTR_VMTRACE */
