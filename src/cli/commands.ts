// The runc command-line contract as data: every command, its arguments and flags.
// program.ts turns this table into commander commands; argv.ts reads the same table
// to rewrite runc's single-dash long flags. One table, so the two never disagree.

export interface FlagDef {
  /** commander flag syntax, e.g. '-b, --bundle <dir>' */
  flags: string
  help: string
  default?: string | boolean | number
  /** may be given several times; values collect into an array */
  repeat?: boolean
  /** accepted for compatibility, not shown in --help */
  hidden?: boolean
}

export interface CommandDef {
  name: string
  args: string // commander argument syntax, e.g. '<container-id>'
  summary: string
  flags: FlagDef[]
  /** everything after the first positional belongs to the command (exec, ps) */
  passThrough?: boolean
}

const createFlags: FlagDef[] = [
  { flags: '-b, --bundle <dir>', help: 'path to the root of the bundle directory', default: '' },
  { flags: '--console-socket <path>', help: 'path to an AF_UNIX socket which will receive the pty master' },
  { flags: '--pidfd-socket <path>', help: 'path to an AF_UNIX socket which will receive a pidfd of the init', hidden: true },
  { flags: '--pid-file <path>', help: 'file to write the process id to' },
  { flags: '--no-pivot', help: 'do not use pivot_root to jail the process inside the rootfs' },
  { flags: '--no-new-keyring', help: 'do not create a new session keyring for the container' },
  { flags: '--preserve-fds <n>', help: 'pass N additional file descriptors to the container (3..3+N-1)', default: '0' },
]

export const GLOBAL_FLAGS: FlagDef[] = [
  { flags: '--root <dir>', help: 'root directory for storage of container state (default /run/runt, or $XDG_RUNTIME_DIR/runt when unprivileged)' },
  { flags: '--log <path>', help: 'set the log file to write runt logs to (default is stderr)' },
  { flags: '--log-format <format>', help: 'set the log format (text or json)', default: 'text' },
  { flags: '--debug', help: 'enable debug logging' },
  { flags: '--systemd-cgroup', help: 'enable systemd cgroup support (cgroupsPath as slice:prefix:name)' },
  { flags: '--rootless <value>', help: 'ignore cgroup permission errors (true, false or auto)', default: 'auto' },
  { flags: '--criu <path>', help: 'obsolete; ignored', hidden: true },
]

export const COMMANDS: CommandDef[] = [
  {
    name: 'create', args: '<container-id>', summary: 'create a container (the process waits for start)',
    flags: createFlags,
  },
  { name: 'start', args: '<container-id>', summary: 'start the user process of a created container', flags: [] },
  {
    name: 'run', args: '<container-id>', summary: 'create and start a container',
    flags: [
      ...createFlags,
      { flags: '-d, --detach', help: 'detach from the container process' },
      { flags: '--keep', help: 'do not delete the container after it exits' },
      { flags: '--no-subreaper', help: 'disable the use of the subreaper used to reap reparented processes' },
    ],
  },
  {
    name: 'exec', args: '<container-id> [command...]', summary: 'execute a new process inside a container',
    passThrough: true,
    flags: [
      { flags: '--console-socket <path>', help: 'path to an AF_UNIX socket which will receive the pty master' },
      { flags: '--pidfd-socket <path>', help: 'path to an AF_UNIX socket which will receive a pidfd', hidden: true },
      { flags: '--cwd <path>', help: 'current working directory in the container' },
      { flags: '-e, --env <var>', help: 'set an environment variable (repeatable)', repeat: true },
      { flags: '-t, --tty', help: 'allocate a pseudo-TTY' },
      { flags: '-u, --user <uid[:gid]>', help: 'numeric user (and group) id to run as' },
      { flags: '-g, --additional-gids <gid>', help: 'additional group id (repeatable)', repeat: true },
      { flags: '-p, --process <path>', help: 'path to a process.json' },
      { flags: '-d, --detach', help: 'detach from the container process' },
      { flags: '--pid-file <path>', help: 'file to write the process id to' },
      { flags: '--process-label <label>', help: 'SELinux label for the process' },
      { flags: '--apparmor <profile>', help: 'AppArmor profile for the process' },
      { flags: '--no-new-privs', help: 'set the no new privileges value for the process' },
      { flags: '-c, --cap <cap>', help: 'add a capability to the bounding set (repeatable)', repeat: true },
      { flags: '--preserve-fds <n>', help: 'pass N additional file descriptors to the process', default: '0' },
      { flags: '--cgroup <path>', help: 'run in a sub-cgroup of the container ([controllers:]path)', repeat: true },
      { flags: '--ignore-paused', help: 'allow exec in a paused container' },
    ],
  },
  {
    name: 'kill', args: '<container-id> [signal]', summary: 'send a signal to the container init (default SIGTERM)',
    flags: [{ flags: '-a, --all', help: 'send the signal to all processes in the container', hidden: true }],
  },
  {
    name: 'delete', args: '<container-id>', summary: 'delete a container and the resources it holds',
    flags: [{ flags: '-f, --force', help: 'kill the container with SIGKILL first if it is still running' }],
  },
  { name: 'state', args: '<container-id>', summary: 'output the state of a container', flags: [] },
  {
    name: 'list', args: '', summary: 'list the containers of this root',
    flags: [
      { flags: '-f, --format <format>', help: 'table or json', default: 'table' },
      { flags: '-q, --quiet', help: 'display only container ids' },
    ],
  },
  {
    name: 'ps', args: '<container-id> [ps-args...]', summary: 'list the processes running inside a container',
    passThrough: true,
    flags: [{ flags: '-f, --format <format>', help: 'table or json', default: 'table' }],
  },
  { name: 'pause', args: '<container-id>', summary: 'suspend all processes of a container', flags: [] },
  { name: 'resume', args: '<container-id>', summary: 'resume all processes of a paused container', flags: [] },
  {
    name: 'update', args: '<container-id>', summary: 'update the resource limits of a container',
    flags: [
      { flags: '-r, --resources <file>', help: 'LinuxResources JSON file, or - for stdin' },
      { flags: '--blkio-weight <n>', help: 'block IO weight (10-1000)' },
      { flags: '--cpu-period <n>', help: 'CPU CFS period in microseconds' },
      { flags: '--cpu-quota <n>', help: 'CPU CFS quota in microseconds' },
      { flags: '--cpu-burst <n>', help: 'CPU CFS burst in microseconds' },
      { flags: '--cpu-share <n>', help: 'CPU shares (relative weight)' },
      { flags: '--cpu-rt-period <n>', help: 'CPU realtime period in microseconds' },
      { flags: '--cpu-rt-runtime <n>', help: 'CPU realtime runtime in microseconds' },
      { flags: '--cpuset-cpus <list>', help: 'CPUs to allow' },
      { flags: '--cpuset-mems <list>', help: 'memory nodes to allow' },
      { flags: '--cpu-idle <n>', help: 'set cgroup SCHED_IDLE (0 or 1)' },
      { flags: '--memory <bytes>', help: 'memory limit' },
      { flags: '--memory-reservation <bytes>', help: 'memory reservation or soft limit' },
      { flags: '--memory-swap <bytes>', help: 'memory plus swap limit (-1 for unlimited)' },
      { flags: '--pids-limit <n>', help: 'maximum number of pids' },
      { flags: '--l3-cache-schema <schema>', help: 'Intel RDT L3 cache schema' },
      { flags: '--mem-bw-schema <schema>', help: 'Intel RDT memory bandwidth schema' },
      { flags: '--kernel-memory <bytes>', help: 'obsolete', hidden: true },
      { flags: '--kernel-memory-tcp <bytes>', help: 'obsolete', hidden: true },
    ],
  },
  {
    name: 'events', args: '<container-id>', summary: 'display container events (stats, oom)',
    flags: [
      { flags: '--interval <duration>', help: 'stats collection interval', default: '5s' },
      { flags: '--stats', help: 'display the container stats once, then exit' },
    ],
  },
  { name: 'features', args: '', summary: 'show the enabled features (runtime-spec features.md)', flags: [] },
  {
    name: 'spec', args: '', summary: 'create a new specification file (config.json)',
    flags: [
      { flags: '-b, --bundle <dir>', help: 'path to the root of the bundle directory' },
      { flags: '--rootless', help: 'generate a configuration for a rootless container' },
    ],
  },
]

/**
 * The names in a flag's syntax ("-b, --bundle <dir>": b, bundle, takes a value), read
 * with plain string operations: every call parses its command's flags, and a regular
 * expression costs its compilation at each start.
 */
export function flagSyntax(def: FlagDef): { short?: string; long: string; takesValue: boolean } {
  let short: string | undefined
  let long = ''
  let takesValue = false
  for (const word of def.flags.split(' ')) {
    const name = word.endsWith(',') ? word.slice(0, -1) : word
    if (name.startsWith('<') || name.startsWith('[')) takesValue = true
    else if (name.startsWith('--')) long = name.slice(2)
    else if (name.length === 2 && name[0] === '-') short = name[1]
  }
  return { short, long, takesValue }
}

/** Long and one-letter option names, split by whether they take a value. */
export function flagTable(defs: readonly FlagDef[]): { booleans: Set<string>; valued: Set<string> } {
  const booleans = new Set<string>()
  const valued = new Set<string>()
  for (const d of defs) {
    const { short, long, takesValue } = flagSyntax(d)
    for (const name of [short, long]) if (name) (takesValue ? valued : booleans).add(name)
  }
  return { booleans, valued }
}
