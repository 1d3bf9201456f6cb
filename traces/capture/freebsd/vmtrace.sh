#!/bin/sh
# vmtrace.sh - run vmtrace.d after checking what this kernel offers.
#
#	sh vmtrace.sh /var/tmp/vm.dtrace	# then run the workload; Ctrl-C (or kill -INT) to stop
#
# Writes, at the top of the output file, `# vmtrace: ...` lines that say
# which probes are missing (static functions the compiler inlined have no
# fbt probe, and dtrace -Z would hide that) and what each missing one costs;
# vmreplay turns them into warnings. Then runs dtrace with its messages
# (drops, errors) appended to the same file, where vmreplay counts them.

set -u
OUT=${1:?usage: vmtrace.sh OUTPUT_FILE}
HERE=$(cd "$(dirname "$0")" && pwd)
SCRIPT="$HERE/vmtrace.d"
DEFS=""

kldstat -q -m dtrace 2>/dev/null || kldload dtraceall || exit 2

{
	echo "# vmtrace: kernel $(uname -r) osreldate $(sysctl -n kern.osreldate) ncpu $(sysctl -n hw.ncpu)"

	# 13+ defines struct vm_map kernel_map_store; 12 and older a vm_map_t kernel_map.
	if ! dtrace -qn 'BEGIN { trace((uintptr_t)&`kernel_map_store); exit(0); }' >/dev/null 2>&1; then
		DEFS="$DEFS -D VMTRACE_KMAP_POINTER"
		echo "# vmtrace: no kernel_map_store: using the kernel_map pointer (FreeBSD 12 or older)"
	fi

	# Each probe the script needs, and what is lost without it.
	while read -r probe cost; do
		if ! dtrace -l -n "$probe" >/dev/null 2>&1; then
			echo "# vmtrace: missing probe $probe: $cost"
			case $probe in
			fbt::vm_map_copy_entry:entry) DEFS="$DEFS -D VMTRACE_NO_COPY_ENTRY" ;;
			esac
		fi
	done <<-EOF
	fbt::vm_fault:entry no faults at all (fault_begin, fault_obj, fault_end)
	fbt::vm_map_lookup:entry no fault_retry and no fault_obj (the first object is not known)
	fbt::vm_page_lookup:entry no fault_obj from the locked walk
	fbt::vm_page_busy_sleep:entry busy retries read why=restart
	fbt::vm_waitpfault:entry memory retries read why=restart
	fbt::vm_pager_get_pages:entry no io/io_ns, and pager lookups may count as levels
	fbt::vm_object_reference:entry no obj_ref +1 from vm_object_reference
	fbt::vm_object_reference_locked:entry no obj_ref +1 from vm_object_reference_locked
	fbt::vm_object_deallocate:entry no obj_ref -1
	fbt::vm_object_shadow:entry no obj_shadow, and shadow references are logged as obj_ref
	fbt::vmspace_fork:entry no fork context (obj_lock and shadow sites inside fork)
	fbt::vm_map_copy_entry:entry no map_split; fork references are dropped (not logged as obj_ref)
	fbt::vm_object_collapse:entry no obj_collapse
	fbt::kern_execve:entry executables are not named (no obj_name)
	fbt::exec_map_first_page:entry no exec_page, no obj_name
	fbt::elf64_load_section:entry no load_section (static, inlined here)
	fbt::vm_page_grab:entry no page_grab
	proc:::exec-success no proc_exec
	EOF

	# The otype[] table follows enum obj_type of 12/13; check it where D can name the constants.
	if NUMS=$(dtrace -qn 'BEGIN { printf("%d %d %d %d", OBJT_SWAP, OBJT_VNODE, OBJT_DEAD, OBJT_MGTDEVICE); exit(0); }' 2>/dev/null); then
		if [ "$NUMS" != "1 2 5 7" ]; then
			echo "# vmtrace: missing otype numbering: enum obj_type here is SWAP VNODE DEAD MGTDEVICE = $NUMS, the script assumes 1 2 5 7: fix otype[] in vmtrace.d"
		fi
	else
		echo "# vmtrace: otype numbering not checked (D cannot name enum obj_type here): compare otype[] in vmtrace.d with sys/vm/vm.h"
	fi
} > "$OUT"

echo "vmtrace.sh: tracing into $OUT; stop with Ctrl-C" >&2
# shellcheck disable=SC2086
exec dtrace -C $DEFS -Zs "$SCRIPT" >> "$OUT" 2>&1
