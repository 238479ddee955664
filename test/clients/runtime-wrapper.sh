#!/usr/bin/env bash
# Stands in for the OCI runtime under containerd's shim and podman's conmon: records each
# invocation (argv, then exit status) in $RUNT_WRAPPER_LOG and runs the real runtime
# $RUNT_WRAPPER_REAL with the caller's argv, stdio and environment unchanged.
#
# Clients do not pass our environment through (conmon builds its own), so the tests call
# this through a generated launcher that sets both variables (see helpers.ts).
#
# Log lines, one per event, tab-separated: "<pid>\targv\t<arg>\t<arg>..." before the run
# and "<pid>\texit\t<status>" after it. Arguments are written with tabs and newlines
# escaped so that one invocation stays one line.
set -u
: "${RUNT_WRAPPER_REAL:?the real runtime to run}" "${RUNT_WRAPPER_LOG:?the argv log file}"

escape() { local s=${1//\\/\\\\}; s=${s//$'\t'/\\t}; printf '%s' "${s//$'\n'/\\n}"; }

line="$$"$'\t'argv
for arg in "$@"; do line+=$'\t'"$(escape "$arg")"; done
printf '%s\n' "$line" >>"$RUNT_WRAPPER_LOG"

# A child, not exec: the exit status is what the log is for. The runtime's detached
# container processes are reparented to the caller's subreaper (shim, conmon) either way.
"$RUNT_WRAPPER_REAL" "$@"
status=$?
printf '%s\texit\t%s\n' "$$" "$status" >>"$RUNT_WRAPPER_LOG"
exit "$status"
