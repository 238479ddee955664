#!/usr/bin/env bash
# The main job: run a real container from the example busybox bundle, in the
# foreground, and remove it afterwards. Needs root (namespaces, mounts, cgroups).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bin/runt run --bundle bundles/busybox/bundle "runt-demo-$$"
