#!/usr/bin/env bash
# Build the example OCI bundle: a busybox root filesystem from Debian's busybox-static
# and a config.json from `runt spec`, changed to run a short demo without a terminal.
#
#   bundles/busybox/build.sh [BUNDLE_DIR]     (default: bundles/busybox/bundle)
#
# Re-running rebuilds the bundle from scratch. The new bundle is assembled beside the
# old one and swapped in at the end, so a failed run leaves the old bundle as it was.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="${1:-$repo/bundles/busybox/bundle}"
runt="$repo/bin/runt"

die() { echo "build.sh: $*" >&2; exit 1; }

# A dynamically linked busybox would need the host's libc inside the rootfs.
busybox_is_static() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }
if ! busybox_is_static; then
  echo "build.sh: installing busybox-static from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq busybox-static >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq busybox-static >/dev/null; }
  busybox_is_static || die "/bin/busybox is still missing or not statically linked"
fi
[ -x "$runt" ] || die "$runt is missing: build runt first (npm run build)"

bundle_parent="$(dirname "$bundle")"
mkdir -p "$bundle_parent"
staging="$(mktemp -d "$bundle_parent/.$(basename "$bundle").new.XXXXXX")"
trap 'rm -rf --one-file-system "$staging"' EXIT
chmod 0755 "$staging"

rootfs="$staging/rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
cp /bin/busybox "$rootfs/bin/busybox"

# One symlink per applet at the path busybox gives it (bin/ls, usr/bin/awk, ...),
# made in one node process: a few hundred `ln` processes would take seconds.
/bin/busybox --list-full | node -e '
  const fs = require("node:fs"), path = require("node:path")
  const rootfs = process.argv[1]
  for (const applet of fs.readFileSync(0, "utf8").split("\n")) {
    if (!applet.includes("/") || applet === "bin/busybox") continue // e.g. linuxrc
    const link = path.join(rootfs, applet)
    fs.mkdirSync(path.dirname(link), { recursive: true })
    fs.symlinkSync("/bin/busybox", link)
  }
' "$rootfs"

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
echo runt >"$rootfs/etc/hostname"

"$runt" spec --bundle "$staging"
node -e '
  const fs = require("node:fs")
  const file = process.argv[1]
  const config = JSON.parse(fs.readFileSync(file, "utf8"))
  config.process.terminal = false
  config.process.args = ["sh", "-c", "echo hello from runt; id; hostname; ps"]
  fs.writeFileSync(file, JSON.stringify(config, null, "\t"))
' "$staging/config.json"

# --one-file-system: never descend into something mounted inside an old bundle
if [ -e "$bundle" ]; then rm -rf --one-file-system "$bundle"; fi
mv "$staging" "$bundle"
trap - EXIT
echo "$bundle"
