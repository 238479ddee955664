#!/usr/bin/env bash
# What the client tests (test/clients/) need, from Debian's packages: containerd (with
# ctr and containerd-shim-runc-v2) and podman with conmon. Run as root; idempotent and
# quick when everything is present. Recommends are left out: the tests run containers
# without networking, without fuse-overlayfs and without an init inside.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

missing=()
{ have containerd && have ctr && have containerd-shim-runc-v2; } || missing+=(containerd)
have podman || missing+=(podman)
have conmon || [ -x /usr/libexec/podman/conmon ] || [ -x /usr/bin/conmon ] || missing+=(conmon)

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-clients: installing ${missing[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt_install() { apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  apt_install 2>/dev/null || { apt-get update -qq && apt_install; }
fi

# Debian starts the containerd service on install; the tests run a private containerd of
# their own and need none, but a running system one is harmless and left alone.
for tool in containerd ctr containerd-shim-runc-v2 podman; do
  have "$tool" || { echo "install-clients: $tool is still missing" >&2; exit 1; }
done
