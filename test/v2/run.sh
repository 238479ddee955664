#!/bin/sh
# The cgroup v2 suite: test files run on a pure cgroup v2 host, a throw-away VM whose only
# hierarchy is cgroup2 (run-in-v2-vm.sh from ../shared/tools beside this repo, or from
# /work/shared/tools), with the repo mounted read-write at its own path. Prints TAP: each
# file is a subtest, "not ok" when it failed or died. Exits non-zero when any file failed,
# 125 when the VM itself failed, 3 (after one line saying why) when there is no VM tool.
#
#   test/v2/run.sh [test files...]     (default: the list below)
#
# Under TCG a node start costs seconds, and a TypeScript loader many more: the files are
# bundled on the host first (test/v2/bundle.mjs, esbuild; tap included) and the VM runs
# each bundle with bare node.
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$REPO"

# The v2 files (add yours here; each must skip cleanly on a host that is not pure v2, or,
# as rootless.test.ts, pass on both: it runs in the host suite too).
if [ $# -eq 0 ]; then
  set -- \
    test/v2/cgroup-v2.test.ts \
    test/integration/device-filter.test.ts \
    test/integration/cgroups-resources.test.ts \
    test/integration/rootless.test.ts
fi

VM=""
for tool in "$REPO/../shared/tools/run-in-v2-vm.sh" /work/shared/tools/run-in-v2-vm.sh; do
  if [ -f "$tool" ]; then VM=$tool; break; fi
done
if [ -z "$VM" ]; then
  echo "# cgroup v2 suite skipped: run-in-v2-vm.sh is neither in $REPO/../shared/tools nor in /work/shared/tools"
  exit 3
fi

OUT=build/v2
TAG=run$$
trap 'rm -f "$OUT/$TAG"-*.mjs' EXIT
bundles=$(node test/v2/bundle.mjs "$OUT" "$TAG" "$@") || {
  echo "not ok - cgroup v2 suite: bundling the test files failed (test/v2/bundle.mjs)"
  exit 1
}

# In the VM: each bundle under node, its TAP indented as a subtest of ours.
# TAP_TIMEOUT: tap's own limit for a file (30 s by default) is far too short under TCG;
# RUNT_TEST_SLOW stretches the tests' own limits on calls and waits (test/integration/helpers.ts).
# The VM mounts a share only where its path exists in the guest, and the guest has its own
# tmpfs on /tmp (and /run): a clone under either is then missing inside. Mount the share
# (the tool's first read-write share, tag rw0) there from inside the guest when it is.
mount_repo='[ -d "'"$REPO"'/test/v2" ] || { mkdir -p "'"$REPO"'" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap rw0 "'"$REPO"'"; } || { echo "not ok - cgroup v2 suite: the repository cannot be mounted in the VM"; exit 1; }; cd "'"$REPO"'"
'
# Each file runs once per path of bin/runt named in RUNT_V2_PATHS (default: the direct path,
# then the fast path; see README "The fast path and the direct path").
paths=${RUNT_V2_PATHS:-direct fast}
script="$mount_repo"'n=0; failed=0
for mode in '"$paths"'; do
for b in '$(echo $bundles)'; do
  n=$((n+1)); name=$(basename "$b" .mjs); name="${name#'$TAG'-} (RUNT_PATH=$mode)"
  echo "# Subtest: $name"
  { RUNT_PATH=$mode TAP_TIMEOUT=3600 RUNT_TEST_SLOW=10 node "$b" 2>&1; echo $? > /tmp/v2-status; } | sed -u "s/^/    /"
  s=$(cat /tmp/v2-status)
  if [ "$s" = 0 ]; then echo "ok $n - $name"; else echo "not ok $n - $name # exit status $s"; failed=1; fi
done
done
echo "1..$n"
exit $failed'
# a VM without hardware acceleration (TCG) is slow: a generous limit
export V2VM_TIMEOUT="${V2VM_TIMEOUT:-1800}"
# loop devices give the VM block devices, so io.max is tested on a real device
export V2VM_EXTRA_MODULES="${V2VM_EXTRA_MODULES:-loop}"
set +e
sh "$VM" -w "$REPO" "$script"
status=$?
[ "$status" -eq 125 ] && echo "not ok - cgroup v2 suite: the VM failed (run-in-v2-vm.sh exit 125)"
exit "$status"
