# The hand-over under signals, a closed stderr and a hostile log path (sourced by
# tests/cli/run.sh). From the first kexec call until the reboot or the unload nothing may stop
# the loader half way: the fake seam's log must end with the host rebooting into the new kernel
# or back where it was (every read-only remount undone, the kernel unloaded).

HOV=$WORK/hov

# hov_setup PID1: a host tree like HOSTROOT's whose pid 1 is PID1 and which has two
# block-device file systems to remount (exports KEXE_FAKE_ROOT), and a bundle at $HOV_BUNDLE
# named after the test, by which pgrep -f finds its loader and detached child.
hov_setup() {
	rm -rf "$HOV"
	mkdir -p "$HOV"
	cp -r "$HOSTROOT" "$HOV/host"
	echo "$1" >"$HOV/host/proc/1/comm"
	printf '%s\n' '/dev/vda1 / ext4 rw,relatime 0 0' 'proc /proc proc rw 0 0' \
		'/dev/vda2 /srv xfs rw 0 0' >"$HOV/host/proc/mounts"
	export KEXE_FAKE_ROOT=$HOV/host
	HOV_BUNDLE=$HOV/${FUNCNAME[1]#test_}.kexe
	pack_fake "$HOV_BUNDLE" || fail pack
}

# settled LOG: 0 when the seam log shows nothing loaded, the host handed over (a reboot or
# systemctl kexec the fake did not fail, no unload after it), or the host back as it was (the
# kernel unloaded and every read-only remount undone); else prints the log on one line.
settled() {
	awk -v reboot_errno="${KEXE_FAKE_REBOOT_ERRNO:-0}" \
		-v systemctl_status="${KEXE_FAKE_SYSTEMCTL:-0}" '
		$0 == "kexec_file_load unload" { unloaded = 1; next }
		/^kexec_file_load kernel=|^kexec_load / { loaded = 1 }
		$1 == "remount" && $3 == "ro" { ro[$2] = 1 }
		$1 == "remount" && $3 == "rw" { delete ro[$2] }
		$0 == "reboot" && reboot_errno == 0 { handed = 1 }
		$0 == "systemctl kexec" && systemctl_status == 0 { handed = 1 }
		END {
			for (t in ro) left = left " " t
			if (!loaded || (handed && !unloaded) || (unloaded && left == "")) exit 0
			exit 1
		}' "$1" && return 0
	echo "$(tr '\n' '|' <"$1")"
	return 1
}

# hov_pids: the processes running the bundle (the loader, its detached child).
hov_pids() { pgrep -f -- "$HOV_BUNDLE"; }

# strace_ready: 0 when strace can trace here; else says why the test is skipped.
strace_ready() {
	command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null && return 0
	echo "skipped: needs strace (scripts/install-deps.sh) and ptrace"
	return 1
}

# at_step N SIG ARGS...: runs the bundle with ARGS under strace, which sends SIG to a process
# running it when that process opens the seam log for the Nth time. The fake seam opens the
# log once per line, so SIG lands between a process's step N-1 and its step N: in the loader
# and in its detached child alike (strace counts per process). strace -f returns when every
# process has ended. The seam log is $HOV/steps.
at_step() {
	local n=$1 sig=$2
	shift 2
	: >"$HOV/steps"
	strace -f -qq -o /dev/null -P "$HOV/steps" -e trace=open,openat \
		-e inject=open,openat:signal="$sig":when="$n" \
		env KEXE_FAKE_LOG="$HOV/steps" "$HOV_BUNDLE" "$@" >"$HOV/out" 2>"$HOV/err"
	return 0
}

# each_step 'SIG...' ARGS...: runs the bundle with ARGS once to count its steps, then once per
# step and SIG with SIG arriving before that step; each run must end settled, and in a reboot
# unless the fake fails it.
each_step() {
	local sigs=$1 sig n steps
	shift
	at_step 1000 TERM "$@"
	steps=$(wc -l <"$HOV/steps")
	[ "$steps" -ge 3 ] || fail "too few steps: $(tr '\n' '|' <"$HOV/steps")"
	for sig in $sigs; do
		for n in $(seq "$steps"); do
			at_step "$n" "$sig" "$@"
			settled "$HOV/steps" || fail "SIG$sig before step $n left the host in between"
			[ -n "${KEXE_FAKE_REBOOT_ERRNO:-}${KEXE_FAKE_SYSTEMCTL:-}" ] ||
				grep -qx 'reboot\|systemctl kexec' "$HOV/steps" ||
				fail "SIG$sig before step $n: no reboot: $(tr '\n' '|' <"$HOV/steps")"
		done
	done
	return 0
}

# issue 18: SIGPIPE (a closed stderr), SIGHUP (a dropped session) or SIGTERM between two steps
# killed the loader half way, e.g. after `remount / ro` with the kernel loaded.
test_direct_reboot_survives_signals_at_every_step() {
	strace_ready || return 0
	hov_setup init
	each_step 'PIPE HUP INT TERM' --foreground --now
}

test_failed_direct_reboot_is_undone_despite_signals_at_every_step() {
	strace_ready || return 0
	hov_setup init
	export KEXE_FAKE_REBOOT_ERRNO=5
	each_step 'PIPE HUP TERM' --foreground --now
	grep -q "reboot into the loaded kernel failed" "$HOV/err" || fail "no failure line"
}

test_systemd_hand_over_survives_signals_at_every_step() {
	strace_ready || return 0
	hov_setup systemd
	each_step 'PIPE HUP INT TERM' --foreground
	grep -qx 'systemctl kexec' "$HOV/steps" || fail "not through systemctl"
	export KEXE_FAKE_SYSTEMCTL=1
	each_step 'HUP TERM' --foreground
}

# The parent's steps are the load's; the detached child's are the direct reboot's. SIGHUP also
# comes at the fork, where an ssh session that drops hits the parent.
test_detached_hand_over_survives_signals_at_every_step() {
	strace_ready || return 0
	hov_setup init
	each_step 'PIPE HUP TERM' --detach --now --log "$HOV/kexe.log"
	export KEXE_FAKE_REBOOT_ERRNO=5
	each_step 'HUP TERM' --detach --now --log "$HOV/kexe.log"
	unset KEXE_FAKE_REBOOT_ERRNO
	: >"$HOV/steps"
	strace -f -qq -o /dev/null -e trace=fork,vfork,clone,clone3 \
		-e inject=fork,vfork,clone,clone3:signal=HUP:when=1 env KEXE_FAKE_LOG="$HOV/steps" \
		"$HOV_BUNDLE" --detach --now --log "$HOV/kexe.log" >"$HOV/out" 2>"$HOV/err"
	settled "$HOV/steps" && grep -qx reboot "$HOV/steps" || fail "SIGHUP at the fork"
}

# issue 18: stderr closed by its reader after the first line (a dropped ssh channel) killed the
# loader with SIGPIPE after `remount / ro`, leaving the disks read-only and the kernel loaded.
test_closed_stderr_does_not_stop_the_hand_over() {
	local rc
	hov_setup init
	KEXE_FAKE_LOG=$HOV/seam.log "$HOV_BUNDLE" --foreground --now 2>&1 >/dev/null </dev/null |
		{ read -r _; }
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || fail "exit $rc with stderr closed: $(tr '\n' '|' <"$HOV/seam.log")"
	settled "$HOV/seam.log" || fail "left in between"
	grep -qx reboot "$HOV/seam.log" || fail "no reboot: $(tr '\n' '|' <"$HOV/seam.log")"
	# notes come before the remounts: the log file may be on a file system turning read-only
	grep -n 'kmsg kexe: rebooting\|remount / ro' "$HOV/seam.log" | head -1 | grep -q kmsg ||
		fail "the note was written after remounting"
}

# hov_child_after_parent LOG ARGS...: runs the bundle detached with its seam log in LOG; when the
# parent has returned, sets $pid to the detached child's. (Not in $(...): a child that kept
# the substitution's pipe would hold the caller until it ends.)
hov_child_after_parent() {
	local log=$1
	shift
	KEXE_FAKE_LOG=$log "$HOV_BUNDLE" "$@" >"$HOV/out" 2>"$HOV/err" || fail "parent failed"
	pid=$(hov_pids) || fail "no detached child"
	[[ $pid =~ ^[0-9]+$ ]] || fail "not one detached child: $pid"
}

# hov_fds PID: the descriptors PID holds besides stdin, stdout and stderr, as ls -l shows them.
hov_fds() {
	ls -l /proc/"$1"/fd | tail -n +2 | grep -v ' [012] -> ' | sed 's/.* \([0-9]* -> \)/\1/' |
		tr '\n' ' '
}

# hov_wait_gone: waits up to 10 s for every process running the bundle to end.
hov_wait_gone() {
	for _ in $(seq 200); do
		hov_pids >/dev/null || return 0
		sleep 0.05
	done
	fail "the detached child still runs"
}

# issue 18: the detached child kept the kernel and initrd memfds and the bundle open through
# the delay (under --consume the bundle read-write, which makes the read-only remount fail).
test_detached_child_holds_no_payload_or_bundle() {
	local pid fds consumed=/dev/shm
	hov_setup init
	hov_child_after_parent "$HOV/seam.log" --detach --delay 3 --log "$HOV/kexe.log"
	fds=$(hov_fds "$pid")
	[ -z "$fds" ] || fail "the detached child holds: $fds"
	hov_wait_gone
	grep -qx reboot "$HOV/seam.log" || fail "no reboot after the delay"
	[ -w "$consumed" ] || consumed=$HOV
	cp "$HOV_BUNDLE" "$consumed/kexe-hov-$$.kexe"
	HOV_BUNDLE=$consumed/kexe-hov-$$.kexe
	hov_child_after_parent "$HOV/consume.log" --detach --delay 3 --consume --log "$HOV/kexe.log"
	fds=$(hov_fds "$pid")
	rm -f "$HOV_BUNDLE"
	[ -z "$fds" ] || fail "the detached child of --consume holds: $fds"
	hov_wait_gone
	grep -qx reboot "$HOV/consume.log" || fail "no reboot after the delay under --consume"
}

test_detached_child_reboots_through_signals_during_the_delay() {
	local pid
	hov_setup init
	hov_child_after_parent "$HOV/seam.log" --detach --delay 2 --log "$HOV/kexe.log"
	for sig in HUP TERM INT; do
		kill -s "$sig" "$pid" 2>/dev/null
		sleep 0.2
	done
	hov_wait_gone
	settled "$HOV/seam.log" || fail "a signal during the delay left the host in between"
	grep -qx reboot "$HOV/seam.log" || fail "no reboot: $(tr '\n' '|' <"$HOV/seam.log")"
}

# issue 18: the log of a detached run was opened by a fixed name following symlinks, with a
# fallback in /tmp: a link made root append to any file, a FIFO blocked the child for ever.
test_detach_log_is_neither_followed_nor_blocking() {
	local target=$HOV/victim
	hov_setup init
	echo "keep me" >"$target"
	ln -s "$target" "$HOV/link.log"
	mkfifo "$HOV/fifo.log"
	for log in link.log fifo.log; do
		KEXE_FAKE_LOG=$HOV/seam-$log expect_exit 0 "$HOV_BUNDLE" --detach --now \
			--log "$HOV/$log" || return 1
		hov_wait_gone
		grep -qx reboot "$HOV/seam-$log" || fail "$log: no reboot (blocked?)"
		grep -q "kmsg kexe: not logging to $HOV/$log" "$HOV/seam-$log" ||
			fail "$log: the kernel log was not told: $(tr '\n' '|' <"$HOV/seam-$log")"
	done
	[ "$(cat "$target")" = "keep me" ] || fail "the link was followed: $(cat "$target")"
	[ -p "$HOV/fifo.log" ] && [ -L "$HOV/link.log" ] || fail "the planted names were replaced"
}

# issue 18: exit 0 of a detached run means "scheduled"; a later failure must be readable where
# a fleet tool looks: the log file gets the child's JSON lines, ending with its error.
test_detached_reboot_failure_reaches_the_json_log() {
	local log=$HOV/json.log
	hov_setup init
	KEXE_FAKE_REBOOT_ERRNO=5 KEXE_FAKE_LOG=$HOV/seam.log expect_exit 0 "$HOV_BUNDLE" \
		--json --detach --now --log "$log" || return 1
	hov_wait_gone
	python3 - "$WORK/out" "$log" <<'PY' || fail "JSON: $(cat "$WORK/out" "$log")"
import json, sys
parent = [json.loads(l) for l in open(sys.argv[1])]
child = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
assert parent[-1]["event"] == "done" and parent[-1]["scheduled"] is True, parent[-1]
assert [l["event"] for l in child] == ["detached", "error"], child
assert child[0]["delay"] == 0 and child[0]["pid"] > 0, child[0]
err = child[-1]
assert err["exit_code"] == 8 and err["stage"] == "handover", err
assert err["error"]["category"] == "reboot" and "unloaded" in err["error"]["message"], err
PY
	grep -q "kexe: reboot into the loaded kernel failed" "$log" || fail "no human line in the log"
	settled "$HOV/seam.log" || fail "left in between"
}
