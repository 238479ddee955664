// Crash-safety tests need runt frozen at a known step so they can kill -9 it there.
// RUNT_TEST_STOP_AT=<point> makes runt SIGSTOP itself when it reaches that point
// (the test then kills it); unset, this does nothing. Points are named
// "<operation>:<step>", e.g. "create:cgroups" (see the calls of stopPoint).

/** SIGSTOP this process when RUNT_TEST_STOP_AT names point. */
export function stopPoint(point: string): void {
  if (process.env.RUNT_TEST_STOP_AT === point) process.kill(process.pid, 'SIGSTOP')
}
