// Crash-safety tests need runt frozen at a known step so they can kill -9 it there.
// RUNT_TEST_STOP_AT=<point> makes runt SIGSTOP itself when it reaches that point
// (the test then kills it); unset, this does nothing. Points are named
// "<operation>:<step>", e.g. "create:cgroups" (see the calls of stopPoint).
// The executor has points of its own (EXECUTOR_STOP_POINTS): there the executor stops
// itself, told through the plan (it gets an empty environment).

/** SIGSTOP this process when RUNT_TEST_STOP_AT names point. */
export function stopPoint(point: string): void {
  if (process.env.RUNT_TEST_STOP_AT === point) process.kill(process.pid, 'SIGSTOP')
}

/** Points inside runt-exec (native/exec, stop_point()). */
export const EXECUTOR_STOP_POINTS = [
  'exec:capset', // the joining process has the container's user and capabilities, before execve
] as const

/** The executor point RUNT_TEST_STOP_AT names, for the plan's TEST_STOP_AT; null for any other value. */
export function executorStopPoint(): string | null {
  const point = process.env.RUNT_TEST_STOP_AT
  return point !== undefined && (EXECUTOR_STOP_POINTS as readonly string[]).includes(point) ? point : null
}
