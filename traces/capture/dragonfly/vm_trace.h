/*
 * vm_trace.h - vmtrace KTR events for vmreplay (DragonFly BSD, trees of the
 * 501747bf era: its parent, 501747bf itself and 61dac052; see README.md).
 *
 * Install as sys/vm/vm_trace.h. Call sites use the VMTRACE_*() macros below;
 * with `options KTR_VMTRACE` absent they compile to nothing (the
 * VMTRACE_ENTRY_SHADOW() wrapper to the plain call). With it present, a
 * disabled event costs one load and one branch: the logging functions in
 * vm_trace.c are only called when the event's bit is set in
 * debug.ktr.vmtrace_enable.
 *
 * Every event prints `key=value ...` in the payload grammar of vmreplay's
 * docs/events.md, under the KTR ID `vmtrace_<event>`.
 */

#ifndef _VM_VM_TRACE_H_
#define _VM_VM_TRACE_H_

#ifdef _KERNEL

#include "opt_ktr.h"

#if defined(KTR) && defined(KTR_VMTRACE)

#include <sys/ktr.h>

KTR_INFO_MASTER_EXTERN(vmtrace);

/* Mask bits of debug.ktr.vmtrace_enable (also debug.ktr.vmtrace.<event>_mask). */
#define VMTRACE_FAULT_BEGIN	0x0001
#define VMTRACE_FAULT_OBJ	0x0002
#define VMTRACE_FAULT_RETRY	0x0004
#define VMTRACE_FAULT_END	0x0008
#define VMTRACE_OBJ_LOCK	0x0010	/* heavy: every hold/drop; off in the recommended mask */
#define VMTRACE_OBJ_REF		0x0020
#define VMTRACE_OBJ_SHADOW	0x0040
#define VMTRACE_MAP_SPLIT	0x0080
#define VMTRACE_EXEC_PAGE	0x0100
#define VMTRACE_PAGE_GRAB	0x0200
#define VMTRACE_OBJ_COLLAPSE	0x0400
#define VMTRACE_OBJ_NAME	0x0800
#define VMTRACE_LOAD_SECTION	0x1000
#define VMTRACE_PROC_FORK	0x2000
#define VMTRACE_PROC_EXEC	0x4000
#define VMTRACE_PROC_EXIT	0x8000

#define VMTRACE_ON(bit)		__predict_false(ktr_vmtrace_enable & (bit))

/*
 * Operations nested inside another traced operation are not logged again
 * (vmreplay replays each event as its own operation): the references taken
 * inside vm_object_shadow() and vm_map_split(), the vm_page_grab() inside
 * exec_map_page(). td_vmtrace_nest is a new int in struct thread.
 *
 * ENTER and EXIT must pair on every path: put them around a call, never at
 * the top and bottom of a function body that has early returns (a missed
 * EXIT silences obj_ref and page_grab on that thread for good).
 */
#define VMTRACE_NEST_ENTER()	(++curthread->td_vmtrace_nest)
#define VMTRACE_NEST_EXIT()	(--curthread->td_vmtrace_nest)
#define VMTRACE_NESTED()	(curthread->td_vmtrace_nest > 0)

struct vm_object;
struct vm_page;
struct vm_map;
struct vm_map_entry;
struct proc;

/* The thread id vmreplay sees (see vm_trace.c). */
int	vmtrace_tid(void);
const char *vmtrace_otype(struct vm_object *obj);
const char *vmtrace_strsave(const char *s);

void	vmtrace_fault_begin(struct vm_map *map, vm_offset_t va, vm_prot_t ftype,
	    int fflags, struct vm_map_entry *entry);
void	vmtrace_fault_obj(const char *entry, int depth, struct vm_object *obj,
	    const char *page, struct vm_page *m, const char *pager);
void	vmtrace_fault_retry(const char *why);
void	vmtrace_fault_end(int rc, int depth, const char *action, int io, long io_ns);
void	vmtrace_obj_lock(struct vm_object *obj, const char *op, int exclusive,
	    const char *site, const char *class);
void	vmtrace_obj_ref(struct vm_object *obj, int delta, int ref, const char *site);
void	vmtrace_obj_shadow(struct vm_object *result, struct vm_object *source,
	    const char *site);
void	vmtrace_map_split(struct vm_object *obj);
void	vmtrace_exec_page(struct vm_object *obj, const char *page);
void	vmtrace_page_grab(struct vm_object *obj, const char *page);
void	vmtrace_obj_collapse(struct vm_object *obj, struct vm_object *backing,
	    struct vm_object *bbobj, const char *kase);
void	vmtrace_obj_name(struct vm_object *obj, const char *name);
void	vmtrace_load_section(struct vm_object *obj);
void	vmtrace_proc_fork(struct proc *parent, struct proc *child);
void	vmtrace_proc_exec(struct proc *p, const char *path);
void	vmtrace_proc_exit(struct proc *p);

#define VMTRACE(bit, call)	do { if (VMTRACE_ON(bit)) call; } while (0)

/* entry: NULL after a failed vm_map_lookup() (prints the variant without maptype/wired). */
#define VMTRACE_FAULT_BEGIN_(map, va, ftype, fflags, entry) \
	VMTRACE(VMTRACE_FAULT_BEGIN, vmtrace_fault_begin(map, va, ftype, fflags, entry))
/* entry: NULL in vm_fault()'s own walk, else the entry point's tag (CALLSITES.md). */
#define VMTRACE_FAULT_OBJ_(entry, depth, obj, page, m, pager) \
	VMTRACE(VMTRACE_FAULT_OBJ, vmtrace_fault_obj(entry, depth, obj, page, m, pager))
#define VMTRACE_FAULT_RETRY_(why) \
	VMTRACE(VMTRACE_FAULT_RETRY, vmtrace_fault_retry(why))
#define VMTRACE_FAULT_END_(rc, depth, action, io, io_ns) \
	VMTRACE(VMTRACE_FAULT_END, vmtrace_fault_end(rc, depth, action, io, io_ns))
#define VMTRACE_OBJ_LOCK_(obj, op, excl, class) \
	VMTRACE(VMTRACE_OBJ_LOCK, vmtrace_obj_lock(obj, op, excl, __func__, class))
/* obj must not be NULL; ref is read before the change. */
#define VMTRACE_OBJ_REF_(obj, delta) do {					\
	if (VMTRACE_ON(VMTRACE_OBJ_REF) && !VMTRACE_NESTED())			\
		vmtrace_obj_ref(obj, delta, (obj)->ref_count, __func__);	\
} while (0)
/* The lock-free decrement of vm_object_deallocate(): ref is the count it swapped out. */
#define VMTRACE_OBJ_REF_AT_(obj, delta, ref) do {				\
	if (VMTRACE_ON(VMTRACE_OBJ_REF) && !VMTRACE_NESTED())			\
		vmtrace_obj_ref(obj, delta, ref, __func__);			\
} while (0)
/* Logs only when a new object was made over a non-NULL source. */
#define VMTRACE_OBJ_SHADOW_(result, source) \
	VMTRACE(VMTRACE_OBJ_SHADOW, vmtrace_obj_shadow(result, source, __func__))
/*
 * Replaces `vm_map_entry_shadow(entry, addref);` at its call sites: the
 * references vm_object_shadow() takes are part of the shadow, and site names
 * the caller (vm_map_lookup, vmspace_fork, vm_map_wire, vm_map_unwire).
 * vm_object_shadow() returns early, making no shadow, when the source has one
 * reference, no handle and is DEFAULT/SWAP; with addref it still takes
 * vm_object_reference_locked(source) there (fork of a share-inherited,
 * needs-copy entry: the new entry's reference). That +1 is not part of any
 * shadow, so it is logged as the obj_ref the nesting kept quiet (ref is the
 * count before it).
 */
#define VMTRACE_ENTRY_SHADOW(entry, addref) do {				\
	struct vm_object *vmtrace_src_ = (entry)->object.vm_object;		\
	int vmtrace_addref_ = (addref);						\
	VMTRACE_NEST_ENTER();							\
	vm_map_entry_shadow(entry, vmtrace_addref_);				\
	VMTRACE_NEST_EXIT();							\
	if ((entry)->object.vm_object != vmtrace_src_)				\
		VMTRACE_OBJ_SHADOW_((entry)->object.vm_object, vmtrace_src_);	\
	else if (vmtrace_src_ != NULL && vmtrace_addref_ &&			\
	    VMTRACE_ON(VMTRACE_OBJ_REF) && !VMTRACE_NESTED())			\
		vmtrace_obj_ref(vmtrace_src_, 1, vmtrace_src_->ref_count - 1,	\
		    "vm_object_reference_locked");				\
} while (0)
#define VMTRACE_MAP_SPLIT_(obj) \
	VMTRACE(VMTRACE_MAP_SPLIT, vmtrace_map_split(obj))
#define VMTRACE_EXEC_PAGE_(obj, page) \
	VMTRACE(VMTRACE_EXEC_PAGE, vmtrace_exec_page(obj, page))
#define VMTRACE_PAGE_GRAB_(obj, page) do {					\
	if (VMTRACE_ON(VMTRACE_PAGE_GRAB) && !VMTRACE_NESTED())		\
		vmtrace_page_grab(obj, page);					\
} while (0)
#define VMTRACE_OBJ_COLLAPSE_(obj, backing, bbobj, kase) \
	VMTRACE(VMTRACE_OBJ_COLLAPSE, vmtrace_obj_collapse(obj, backing, bbobj, kase))
#define VMTRACE_OBJ_NAME_(obj, name) \
	VMTRACE(VMTRACE_OBJ_NAME, vmtrace_obj_name(obj, name))
#define VMTRACE_LOAD_SECTION_(obj) \
	VMTRACE(VMTRACE_LOAD_SECTION, vmtrace_load_section(obj))
#define VMTRACE_PROC_FORK_(parent, child) \
	VMTRACE(VMTRACE_PROC_FORK, vmtrace_proc_fork(parent, child))
#define VMTRACE_PROC_EXEC_(p, path) \
	VMTRACE(VMTRACE_PROC_EXEC, vmtrace_proc_exec(p, path))
#define VMTRACE_PROC_EXIT_(p) \
	VMTRACE(VMTRACE_PROC_EXIT, vmtrace_proc_exit(p))

#else	/* !(KTR && KTR_VMTRACE) */

#define VMTRACE_NEST_ENTER()				((void)0)
#define VMTRACE_NEST_EXIT()				((void)0)
#define VMTRACE_FAULT_BEGIN_(map, va, ftype, fflags, entry)	((void)0)
#define VMTRACE_FAULT_OBJ_(entry, depth, obj, page, m, pager)	((void)0)
#define VMTRACE_FAULT_RETRY_(why)			((void)0)
#define VMTRACE_FAULT_END_(rc, depth, action, io, io_ns)	((void)0)
#define VMTRACE_OBJ_LOCK_(obj, op, excl, class)		((void)0)
#define VMTRACE_OBJ_REF_(obj, delta)			((void)0)
#define VMTRACE_OBJ_REF_AT_(obj, delta, ref)		((void)0)
#define VMTRACE_OBJ_SHADOW_(result, source)		((void)0)
#define VMTRACE_ENTRY_SHADOW(entry, addref)		vm_map_entry_shadow(entry, addref)
#define VMTRACE_MAP_SPLIT_(obj)				((void)0)
#define VMTRACE_EXEC_PAGE_(obj, page)			((void)0)
#define VMTRACE_PAGE_GRAB_(obj, page)			((void)0)
#define VMTRACE_OBJ_COLLAPSE_(obj, backing, bbobj, kase)	((void)0)
#define VMTRACE_OBJ_NAME_(obj, name)			((void)0)
#define VMTRACE_LOAD_SECTION_(obj)			((void)0)
#define VMTRACE_PROC_FORK_(parent, child)		((void)0)
#define VMTRACE_PROC_EXEC_(p, path)			((void)0)
#define VMTRACE_PROC_EXIT_(p)				((void)0)

#endif	/* KTR && KTR_VMTRACE */
#endif	/* _KERNEL */
#endif	/* !_VM_VM_TRACE_H_ */
