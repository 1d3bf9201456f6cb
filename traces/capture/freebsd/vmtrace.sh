#!/bin/sh
# vmtrace.sh - run vmtrace.d after checking what this kernel offers.
#
#	sh vmtrace.sh /var/tmp/vm.dtrace	# then run the workload; Ctrl-C (or kill -INT) to stop
#
# Writes, at the top of the output file, `# vmtrace: ...` lines that say
# which probes are missing (static functions the compiler inlined have no
# fbt probe, and dtrace -Z would hide that) and what each missing one costs;
# vmreplay turns them into warnings. Each missing fbt probe also defines
# VMTRACE_NO_<FUNCTION>, which leaves the clauses that need it out of the
# script. Then test-compiles the script (dtrace -e): a D error is printed on
# the terminal and stops here, before tracing. Then runs dtrace with its
# messages (drops, errors) appended to the output file, where vmreplay
# counts them.

set -u
OUT=${1:?usage: vmtrace.sh OUTPUT_FILE}
HERE=$(cd "$(dirname "$0")" && pwd)
SCRIPT="$HERE/vmtrace.d"
DEFS=""

kldstat -q -m dtrace 2>/dev/null || kldload dtraceall || exit 2

# The define that leaves out the clauses of a missing fbt probe.
nodef() {
	func=${1#fbt::}
	echo "VMTRACE_NO_${func%%:*}" | tr '[:lower:]' '[:upper:]'
}

# Inlining: a function can keep its fbt probe (it has other callers) and yet
# be inlined into the one caller the script relies on; its probe then never
# fires there. Run a small workload (an exec, a file written and read back)
# and count, per pair, the outer calls and the inner probe firing inside them.
inlining_counts() {
	# dtrace -c splits its command at blanks (no quoting): the workload is a file.
	tmp=$(mktemp /tmp/vmtrace.XXXXXX) || return 1
	printf '/usr/bin/true\ndd if=/dev/zero of=%s.data bs=64k count=16 2>/dev/null\ncat %s.data >/dev/null\nrm -f %s.data\n' \
	    "$tmp" "$tmp" "$tmp" > "$tmp"
	dtrace -Zq -c "/bin/sh $tmp" -n '
	syscall::execve:entry /progenyof($target)/ { self->ex = 1; @n["execve"] = count(); }
	fbt::kern_execve:entry /self->ex/ { @n["kern_execve"] = count(); }
	syscall::execve:return /self->ex/ { self->ex = 0; }
	fbt::vm_page_grab:entry { self->gr = 1; @n["vm_page_grab"] = count(); }
	fbt::vm_page_lookup:entry /self->gr/ { @n["vm_page_lookup"] = count(); }
	fbt::vm_page_grab:return /self->gr/ { self->gr = 0; }
	END { printa("%s %@d\n", @n); }' 2>/dev/null
	rm -f "$tmp"
}

# count_of NAME: the count of NAME in $COUNTS (0 when it never fired).
count_of() {
	echo "$COUNTS" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'
}

{
	echo "# vmtrace: kernel $(uname -r) osreldate $(sysctl -n kern.osreldate) ncpu $(sysctl -n hw.ncpu)"

	# 13+ defines struct vm_map kernel_map_store; 12 and older a vm_map_t kernel_map.
	if ! dtrace -qn 'BEGIN { trace((uintptr_t)&`kernel_map_store); exit(0); }' >/dev/null 2>&1; then
		DEFS="$DEFS -D VMTRACE_KMAP_POINTER"
		echo "# vmtrace: no kernel_map_store: using the kernel_map pointer (FreeBSD 12 or older)"
	fi

	# 12 and older: vm_fault wraps vm_fault_hold, which some callers enter directly.
	if dtrace -l -n fbt::vm_fault_hold:entry >/dev/null 2>&1; then
		echo "# vmtrace: vm_fault_hold present (FreeBSD 12 or older): a fault is traced from vm_fault or vm_fault_hold, whichever is entered first"
	fi

	# Each probe the script needs, and what is lost without it.
	while read -r probe cost; do
		if ! dtrace -l -n "$probe" >/dev/null 2>&1; then
			case $probe in
			fbt::*)	def=$(nodef "$probe")
				DEFS="$DEFS -D $def"
				echo "# vmtrace: missing probe $probe: $cost [-D $def]" ;;
			*)	echo "# vmtrace: missing probe $probe: $cost" ;;
			esac
		fi
	done <<-EOF
	fbt::vm_fault:entry no faults at all (fault_begin, fault_obj, fault_end)
	fbt::vm_map_lookup:entry no fault_retry and no fault_obj (the first object is not known)
	fbt::vm_page_lookup:entry no fault_obj from the locked walk, and page_grab always reads absent
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

	# Functions inlined into the caller the script relies on (see inlining_counts).
	COUNTS=$(inlining_counts)
	if [ "$(count_of execve)" -eq 0 ]; then
		echo "# vmtrace: inlining of kern_execve into sys_execve not checked (no execve seen)"
	elif [ "$(count_of kern_execve)" -eq 0 ]; then
		echo "# vmtrace: missing obj_name: kern_execve is inlined into sys_execve here (its probe did not fire for $(count_of execve) execve calls): executables are not named"
	else
		echo "# vmtrace: checked: kern_execve fires inside execve ($(count_of kern_execve) of $(count_of execve))"
	fi
	if [ "$(count_of vm_page_grab)" -eq 0 ]; then
		echo "# vmtrace: inlining of vm_page_lookup into vm_page_grab not checked (no vm_page_grab seen)"
	elif [ "$(count_of vm_page_lookup)" -eq 0 ]; then
		echo "# vmtrace: missing page_grab state: vm_page_lookup never fired inside $(count_of vm_page_grab) vm_page_grab calls (inlined there, or not called): every page_grab reads page=absent"
	else
		echo "# vmtrace: checked: vm_page_lookup fires inside vm_page_grab ($(count_of vm_page_lookup) lookups in $(count_of vm_page_grab) grabs)"
	fi

	echo "# vmtrace: compiled with: dtrace -C$DEFS -Zs vmtrace.d"
} > "$OUT"

# Test-compile first: a D error goes to the terminal and nothing is traced.
# shellcheck disable=SC2086
if ! dtrace -C $DEFS -Z -e -s "$SCRIPT" >/dev/null; then
	cat "$OUT" >&2
	rm -f "$OUT"
	echo "vmtrace.sh: $SCRIPT does not compile on this kernel (above: dtrace's messages, then what the checks found); nothing traced" >&2
	exit 2
fi

echo "vmtrace.sh: tracing into $OUT; stop with Ctrl-C. dtrace's messages (drops, errors) go into that file" >&2
# shellcheck disable=SC2086
exec dtrace -C $DEFS -Zs "$SCRIPT" >> "$OUT" 2>&1
