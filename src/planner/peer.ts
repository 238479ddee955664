// The planner serves only a caller that could have done the work itself, in the same
// place: the same namespaces and root directory, the same credentials, capabilities,
// no_new_privs, seccomp mode and security label. Anything else is told to take the
// direct path, so the planner never lends a caller a privilege or a view it lacks.

import fs from 'node:fs'

const NAMESPACES = ['mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time']
const STATUS_FIELDS = ['Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp']

/** What must be equal between the planner and its caller, as name -> value. */
export function identityOf(proc: string): Map<string, string> {
  const facts = new Map<string, string>()
  for (const ns of NAMESPACES) {
    try {
      facts.set(`ns/${ns}`, fs.readlinkSync(`${proc}/ns/${ns}`))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err // a kernel without it
    }
  }
  const root = fs.statSync(`${proc}/root`)
  facts.set('root', `${root.dev}:${root.ino}`)
  for (const line of fs.readFileSync(`${proc}/status`, 'utf8').split('\n')) {
    const colon = line.indexOf(':')
    const key = line.slice(0, colon)
    if (STATUS_FIELDS.includes(key)) facts.set(key, line.slice(colon + 1).trim())
  }
  try {
    facts.set('label', fs.readFileSync(`${proc}/attr/current`, 'utf8').replace(/\0/g, '').trim())
  } catch {
    // no LSM answers here: nothing to compare
  }
  return facts
}

/** Why the caller (pid) is not like us, or null when it is. */
export function peerDifference(own: Map<string, string>, pid: number): string | null {
  if (pid <= 0) return 'the caller is in another pid namespace'
  let theirs: Map<string, string>
  try {
    theirs = identityOf(`/proc/${pid}`)
  } catch (err) {
    return `cannot read the caller's /proc entry (${(err as NodeJS.ErrnoException).code ?? String(err)})`
  }
  for (const [key, value] of own) {
    if (theirs.get(key) !== value) return `the caller's ${key} differs from the planner's`
  }
  return null
}
