# Helpers for the scenario scripts run by the stage-1 init (busybox sh).

# run_boot NAME CMD...: run a bundle that is expected to kexec away.
# Its output goes straight to the console; if it returns, say how. On the
# console stdin is a terminal, so the bundle detaches: it returns 0 at once
# and reboots a few seconds later, which the sleep waits for.
run_boot() {
    name=$1; shift
    echo "KEXE-E2E-RUN $name: $*"
    "$@"
    rc=$?
    echo "KEXE-E2E-RESULT $name rc=$rc"
    if [ "$rc" = 0 ]; then
        sleep 60
        echo "KEXE-E2E-NOREBOOT $name: no reboot 60 s after exit 0"
    fi
}

# run_refused NAME CMD...: run a bundle that is expected to refuse.
# Prints its exit code and each line of its stderr, tagged with NAME.
run_refused() {
    name=$1; shift
    echo "KEXE-E2E-RUN $name: $*"
    "$@" >/tmp/stdout 2>/tmp/stderr
    rc=$?
    while IFS= read -r l; do echo "KEXE-E2E-STDERR $name $l"; done </tmp/stderr
    while IFS= read -r l; do echo "KEXE-E2E-STDOUT $name $l"; done </tmp/stdout
    echo "KEXE-E2E-RESULT $name rc=$rc"
}

# alive: the first system is still running after the refusals.
alive() { echo "KEXE-E2E-ALIVE $1"; }

# run_kexec_tools NAME KERNEL INITRD CMDLINE: the same boot with kexec-tools
# (kexec_file_load through `kexec -s`), for comparison with the bundle.
run_kexec_tools() {
    name=$1
    echo "KEXE-E2E-RUN $name: kexec -s -l $2 --initrd=$3 --command-line=\"$4\""
    kexec -s -l "$2" --initrd="$3" --command-line="$4" && kexec -e
    echo "KEXE-E2E-RESULT $name rc=$?"
}
