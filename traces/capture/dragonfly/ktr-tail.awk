# ktr-tail.awk - the entries a killed `ktrdump -l` had not written out yet,
# taken from one more dump of the frozen rings.
#
#	ktrdump -citp | awk -f ktr-tail.awk /var/tmp/vm.ktr - > /var/tmp/vm.tail
#	cat /var/tmp/vm.tail >> /var/tmp/vm.ktr
#
# ktrdump -l never flushes its output, so when it is killed the last stdio
# buffer (the tail of the trace) is lost. With every KTR master switched off
# first, the rings still hold those entries. The first file is the -l
# capture: for each CPU, the last ring index it printed. Of the second (a
# dump with -i and -c), only the entries after that index are printed: the
# part -l lost, as per-CPU blocks that continue its index sequence. Header
# lines and the TSC line are not repeated. Indices are 24 bits and wrap.
# POSIX awk only (no strtonum).

function hex(s,    i, v) {
	s = tolower(s)
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}

function entry() {
	return NF >= 3 && $1 ~ /^[0-9a-fA-F]+$/ && $2 ~ /^[0-9]+$/
}

FILENAME == ARGV[1] {
	if (entry())
		last[$2] = hex($1)
	next
}

entry() {
	if (!($2 in last)) {
		print		# a CPU the -l capture never printed: all of it is new
		next
	}
	d = (hex($1) - last[$2] + 16777216) % 16777216
	if (d > 0 && d < 8388608)
		print
}
