#!/bin/sh
# Run the cgroup command integration tests on a cgroup v2 host: a throw-away VM whose
# only hierarchy is cgroup2 (shared/tools/run-in-v2-vm.sh beside this repo), with the
# repo mounted read-write at its own path. Exits non-zero when any test file fails.
#
#   test/v2/run.sh [test files...]     (default: the cgroup, pause, update and events tests)
#
# Each file runs under node with tap's TypeScript loader rather than the tap runner:
# the runner keeps state in the repo's .tap/, which a run on the host may be using.
# TAP_TIMEOUT: the per-file limit tap applies (30 s by default) is too short under TCG.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
VM="$REPO/../shared/tools/run-in-v2-vm.sh"
[ -f "$VM" ] || { echo "test/v2/run.sh: $VM not found" >&2; exit 2; }
if [ $# -eq 0 ]; then
  set -- test/integration/cgroups.test.ts test/integration/cgroups-limits.test.ts \
    test/integration/pause.test.ts test/integration/update.test.ts test/integration/events.test.ts \
    test/integration/device-filter.test.ts
fi
LOADER=node_modules/@tapjs/typescript/dist/esm/import.mjs
# a VM without hardware acceleration (TCG) is slow: a generous limit
export V2VM_TIMEOUT="${V2VM_TIMEOUT:-1800}"
exec sh "$VM" -w "$REPO" "cd $REPO && failed=0 && for f in $*; do echo \"# v2: \$f\"; TAP_TIMEOUT=900 node --import=./$LOADER \$f || failed=1; done; exit \$failed"
