#!/usr/bin/env bash
# bench/table.sh RESULTS: the one table of `make bench`, every figure next to its baseline from
# the same run and the ratio kexe / baseline, read from bench/run.sh's RESULTS file (pack rows,
# unpack rows, bench/startup.sh's "loader" and "startup" lines, and bench/e2e.sh's "time" and
# "ram" lines when the QEMU part ran).
set -eu
awk '
function row(what, k, kunit, base, b, better) {
	if (k == "" || b == "" || b + 0 == 0) {
		printf "%-44s %12s  %-26s %12s  %s\n", what, k == "" ? "-" : k kunit, base, b == "" ? "-" : b kunit, "no figure (see below)"
		return
	}
	printf "%-44s %12s  %-26s %12s  %6.2f  (%s is better)\n", what, k kunit, base, b kunit, k / b, better
}
function median(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	if (n == 0) return ""
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : sprintf("%.1f", (a[n / 2] + a[n / 2 + 1]) / 2)
}
# pack rows: PAYLOAD TOOL... SECONDS MIB TIME/KEXE SIZE/KEXE
($1 == "random.img" || $1 == "files.cpio") && $2 != "tool" {
	tool = $2; for (i = 3; i <= NF - 4; i++) tool = tool " " $i
	sec[$1, tool] = $(NF - 3); mib[$1, tool] = $(NF - 2); tools[$1] = tools[$1] "|" tool
}
# unpack rows: KIND N MiB stored C memcpy R MiB/s kexe decode R MiB/s ratio X
$6 == "memcpy" && $9 == "kexe" { mc[$1] = $7; kd[$1] = $11; unpack = unpack " " $1 }
$1 == "loader" && NF == 2 { loader = $2 }
$1 == "startup" && NF == 3 { dry = $2; tru = $3 }
$1 == "time" { t = ""; for (i = 3; i <= NF; i++) t = t " " $i; tm[$2] = median(t); n[$2] = NF - 2 }
$1 == "ram" { ram[$2] = ($3 ~ /^[0-9]+$/) ? $3 : ""; ramtxt[$2] = $0 }
END {
	printf "%-44s %12s  %-26s %12s  %s\n", "figure", "kexe", "baseline", "baseline", "kexe/baseline"
	split("random.img files.cpio", ps, " ")
	for (p = 1; p <= 2; p++) {
		P = ps[p]; k = "kexe pack (lz4 -1)"
		nt = split(substr(tools[P], 2), ts, "|")
		for (i = 1; i <= nt; i++) if (ts[i] != k)
			row("pack time, " P, sec[P, k], " s", ts[i], sec[P, ts[i]], "lower")
		for (i = 1; i <= nt; i++) if (ts[i] != k)
			row("size, " P, mib[P, k], " MiB", ts[i], mib[P, ts[i]], "lower")
	}
	nu = split(unpack, us, " ")
	for (i = 1; i <= nu; i++)
		row("unpack to memfd, " us[i] " (MiB/s)", kd[us[i]], "", "memcpy to fresh memfd pages", mc[us[i]], "higher")
	if (loader != "") row("static loader, build/stub (bytes)", loader, "", "issue 8 target: 256 KiB", 262144, "lower")
	if (dry != "") row("--dry-run of a small bundle (ms)", dry, "", "exec of /bin/true", tru, "lower")
	if (!("kexec-tools" in tm)) exit
	row("s to new kernel, ./boot.kexe", tm["kexe"], " s", "kexec -s -l; kexec -e", tm["kexec-tools"], "lower")
	row("s to new kernel, ./boot.kexe", tm["kexe"], " s", "tar xzf; kexec -s", tm["tarball"], "lower")
	row("s to new kernel, ./boot.kexe --syscall legacy", tm["kexe:--syscall,legacy"], " s", "kexec -s -l; kexec -e", tm["kexec-tools"], "lower")
	row("s to new kernel, tar xzf; kexec -s", tm["tarball"], " s", "kexec -s -l; kexec -e", tm["kexec-tools"], "lower")
	row("smallest RAM, ./boot.kexe", ram["kexe"], " MiB", "kexec -s -l; kexec -e", ram["kexec-tools"], "lower")
	row("smallest RAM, ./boot.kexe", ram["kexe"], " MiB", "tar xzf; kexec -s", ram["tarball"], "lower")
	row("smallest RAM, ./boot.kexe --consume", ram["kexe:--consume"], " MiB", "kexec -s -l; kexec -e", ram["kexec-tools"], "lower")
	row("smallest RAM, tar xzf; kexec -s", ram["tarball"], " MiB", "kexec -s -l; kexec -e", ram["kexec-tools"], "lower")
	print ""
	print "times: median of " n["kexe"] " runs each; the smallest RAM in 32 MiB steps:"
	split("kexec-tools tarball kexe kexe:--consume", rl, " ")
	for (i = 1; i <= 4; i++) if (rl[i] in ramtxt) print "  " ramtxt[rl[i]]
}' "$1"
