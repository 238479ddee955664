#!/usr/bin/env bash
# Everything runt and its tests need on a fresh Debian machine, run as root:
# Debian's busybox-static (test rootfs), runc (to compare against), libseccomp-dev, uidmap
# (newuidmap for rootless containers), containerd and
# podman (the client tests), the npm packages, the native addon and executor, the
# bundled CLI, and the busybox bundle.
# Idempotent and quick when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
busybox_static() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }
busybox_static || missing+=(busybox-static)
command -v runc >/dev/null 2>&1 || missing+=(runc)
# seccomp.h for the addon's build; libseccomp.so.2 itself is loaded when a config has seccomp
[ -f /usr/include/seccomp.h ] || missing+=(libseccomp-dev)
command -v newuidmap >/dev/null 2>&1 || missing+=(uidmap) # rootless containers with several id ranges
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi

if [ ! -x node_modules/.bin/tap ]; then
  npm ci --no-audit --no-fund          # also builds: node-gyp (install) and scripts/build.mjs (prepare)
else
  [ -f build/Makefile ] || npm run --silent install
  npm run --silent build
fi
bash bundles/busybox/build.sh >/dev/null
if [ "$(id -u)" = 0 ]; then bash scripts/install-clients.sh; fi
