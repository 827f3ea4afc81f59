# Assertions on a guest's serial log (sourced, bash).
# Each returns 0 when the log shows what is expected; otherwise it records a
# one-line reason with fail() and returns 1.

# fail REASON: remember why the scenario failed (first reason wins).
fail() {
    if [ -n "${REASON_FILE:-}" ] && [ ! -s "$REASON_FILE" ]; then
        printf '%s\n' "$*" >"$REASON_FILE"
    fi
    printf '%s\n' "e2e: $*" >&2
    return 1
}

# note TEXT: a detail shown under the PASS line.
note() { [ -z "${NOTE_FILE:-}" ] || printf '%s\n' "$*" >>"$NOTE_FILE"; }

# The serial log without carriage returns.
serial() { tr -d '\r' <"$1"; }

# A short hint at what a failed boot did: panic, timeout or last marker.
log_hint() {
    local log=$1 h m
    h=$(serial "$log" | grep -m1 -E 'Kernel panic|Out of memory|Initramfs unpacking failed' |
        sed 's/^\[ *[0-9.]*\] //' || true)
    if [ -z "$h" ]; then   # the last bundle run's exit code and message
        h=$(serial "$log" | grep -E '^KEXE-E2E-RESULT' | tail -n1 || true)
        m=$(serial "$log" | grep -E '^(KEXE-E2E-STDERR [^ ]* )?kexe: ' | tail -n1 |
            sed 's/^KEXE-E2E-STDERR [^ ]* //' || true)
        [ -z "$m" ] || h="${h:+$h, }$m"
    fi
    [ -n "$h" ] || h=$(serial "$log" | grep -E '^KEXE-E2E-' | tail -n1 || true)
    if grep -q 'qemu killed after' "$log"; then h="timeout; last: ${h:-no output}"; fi
    printf '%s\n' "${h:-no marker in serial log}"
}

# expect_stage2 LOG CMDLINE MANIFEST...
# Stage 2 printed its marker block once, with /proc/cmdline exactly CMDLINE
# and exactly the files (paths and sha256) listed in the MANIFEST files.
expect_stage2() {
    local log=$1 cmdline=$2 n got want block
    shift 2
    n=$(serial "$log" | grep -c '^KEXE-E2E-STAGE2-END$' || true)
    [ "$n" = 1 ] || fail "stage-2 marker seen $n times (want 1): $(log_hint "$log")" || return 1
    block=$(serial "$log" | sed -n '/^KEXE-E2E-STAGE2-BEGIN$/,/^KEXE-E2E-STAGE2-END$/p')
    got=$(printf '%s\n' "$block" | grep '^KEXE-E2E-CMDLINE ' || true)
    [ "$got" = "KEXE-E2E-CMDLINE [$cmdline]" ] ||
        fail "stage-2 cmdline: got '${got#KEXE-E2E-CMDLINE }', want '[$cmdline]'" || return 1
    got=$(printf '%s\n' "$block" | grep '^KEXE-E2E-FILE ' | LC_ALL=C sort || true)
    want=$(cat "$@" | LC_ALL=C sort)
    [ "$got" = "$want" ] ||
        fail "stage-2 files differ: $(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") |
            grep '^[<>]' | sed 's/KEXE-E2E-FILE //' | head -n4 | tr '\n' ' ')" || return 1
}

# expect_kexec LOG: stage 1 ran first, and stage 2 came after it (the
# marker is from the kexec'ed kernel, not from a direct boot).
# The stage-1 marker is matched at the start of a line only: the kernel's console may print
# into the rest of it ("KEXE-E2E-STAGE1-BEGIN[    2.010623] tsc: Refined TSC ...", seen in CI).
expect_kexec() {
    local log=$1
    serial "$log" | grep -q '^KEXE-E2E-STAGE1-BEGIN' ||
        fail "stage 1 never started: $(log_hint "$log")" || return 1
    serial "$log" | sed -n '/^KEXE-E2E-STAGE1-BEGIN/,$p' | grep -q '^KEXE-E2E-STAGE2-BEGIN$' ||
        fail "no stage-2 boot after stage 1: $(log_hint "$log")" || return 1
}

# expect_refused LOG NAME RC TEXT
# The bundle run NAME exited with RC, every line it wrote to stderr starts
# with "kexe: ", and the last one contains TEXT.
expect_refused() {
    local log=$1 name=$2 rc=$3 text=$4 got msg bad
    got=$(serial "$log" | sed -n "s/^KEXE-E2E-RESULT $name rc=//p" | tail -n1)
    msg=$(serial "$log" | sed -n "s/^KEXE-E2E-STDERR $name //p" | tail -n1)
    if [ -z "$got" ]; then
        if serial "$log" | grep -q '^KEXE-E2E-STAGE2-BEGIN$'; then
            fail "$name: not refused: the bundle kexec'ed into stage 2" || return 1
        fi
        fail "$name: the bundle did not return (no exit code): $(log_hint "$log")" || return 1
    fi
    [ "$got" = "$rc" ] || fail "$name: exit code $got, want $rc (stderr: ${msg:-none})" || return 1
    bad=$(serial "$log" | sed -n "s/^KEXE-E2E-STDERR $name //p" | grep -v '^kexe: ' | head -n1 || true)
    [ -z "$bad" ] || fail "$name: stderr line not starting with 'kexe: ': '$bad'" || return 1
    case $msg in
    "kexe: "*"$text"*) note "$name: $msg" ;;
    *) fail "$name: stderr '${msg}' is not 'kexe: ...$text...'" || return 1 ;;
    esac
}

# expect_alive LOG TAG: the first system printed its "still alive" marker.
expect_alive() {
    serial "$1" | grep -q "^KEXE-E2E-ALIVE $2\$" ||
        fail "stage 1 did not go on after the refusals (no ALIVE $2): $(log_hint "$1")" || return 1
}
