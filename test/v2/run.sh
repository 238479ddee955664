#!/bin/sh
# Run the cgroup command integration tests on a cgroup v2 host: a throw-away VM whose
# only hierarchy is cgroup2 (shared/tools/run-in-v2-vm.sh beside this repo), with the
# repo mounted read-write at its own path. Exits with the tests' status.
#
#   test/v2/run.sh [test files...]     (default: the cgroup, pause, update and events tests)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
VM="$REPO/../shared/tools/run-in-v2-vm.sh"
[ -x "$VM" ] || [ -f "$VM" ] || { echo "test/v2/run.sh: $VM not found" >&2; exit 2; }
if [ $# -eq 0 ]; then
  set -- test/integration/cgroups.test.ts test/integration/cgroups-limits.test.ts \
    test/integration/pause.test.ts test/integration/update.test.ts test/integration/events.test.ts
fi
# a VM without hardware acceleration (TCG) is slow: generous limits for the VM and for tap
export V2VM_TIMEOUT="${V2VM_TIMEOUT:-1800}"
exec sh "$VM" -w "$REPO" "cd $REPO && npx tap --timeout=600 --disable-coverage $*"
