// runt update on a running container: the new limits reach the kernel and the record.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { RUNT, containerSuite, shBundle, uniqueId } from './helpers'
import { cgroupValue, unified } from './cgroups-helpers'

const MiB = 1024 * 1024

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  // update reads stdin and starts no container: plain pipes are fine here
  const updateWithStdin = (args: string[], input: string) => {
    const r = spawnSync(RUNT, ['--root', root, 'update', ...args], { input, encoding: 'utf8', timeout: 60_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  const recorded = (id: string) => JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8')).config.linux.resources

  function running(t: { teardown(fn: () => void): void }): string {
    const id = uniqueId('update')
    const bundle = shBundle('exec sleep 1000', spec => {
      spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * MiB }, pids: { limit: 30 }, cpu: { shares: 1024 } }
    })
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    const r = runt(['run', '-d', '-b', bundle, id])
    if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`)
    return id
  }
  const memory = (id: string) => cgroupValue(root, id, 'memory', 'memory.limit_in_bytes', 'memory.max')
  const pids = (id: string) => cgroupValue(root, id, 'pids', 'pids.max', 'pids.max')

  t.test('update --resources - (containerd\'s call): limits change live and are recorded', async t => {
    const id = running(t)
    const r = updateWithStdin(['--resources', '-', id], JSON.stringify({ memory: { limit: 128 * MiB }, pids: { limit: 99 }, cpu: { cpus: '0' } }))
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, '')
    t.equal(memory(id), String(128 * MiB))
    t.equal(pids(id), '99')
    t.equal(cgroupValue(root, id, 'cpuset', 'cpuset.cpus', 'cpuset.cpus'), '0')
    t.match(recorded(id), { memory: { limit: 128 * MiB }, pids: { limit: 99 }, cpu: { shares: 1024, cpus: '0' } }, 'merged into the record')
    t.equal(JSON.parse(runt(['state', id]).stdout).status, 'running')

    // a later update starts from the recorded values: only what it names changes
    t.equal(updateWithStdin(['-r', '-', id], '{"pids":{"limit":7}}').status, 0)
    t.equal(pids(id), '7')
    t.equal(memory(id), String(128 * MiB))
  })

  t.test('update --resources=FILE (podman\'s call) and runc\'s individual flags', async t => {
    const id = running(t)
    const file = path.join(root, 'resources.json')
    fs.writeFileSync(file, JSON.stringify({ memory: { limit: 96 * MiB } }))
    t.equal(runt(['update', `--resources=${file}`, id]).status, 0)
    t.equal(memory(id), String(96 * MiB))

    const r = runt(['update', '--memory', '80m', '--pids-limit', '12', '--cpu-share', '512', id])
    t.equal(r.status, 0, r.stderr)
    t.equal(memory(id), String(80 * MiB))
    t.equal(pids(id), '12')
    t.equal(cgroupValue(root, id, 'cpu', 'cpu.shares', 'cpu.weight'), unified ? '20' : '512')

    t.equal(runt(['update', '--resources', file, '--pids-limit', '3', id]).status, 0, 'with --resources the flags are ignored')
    t.equal(pids(id), '12')
  })

  t.test('update errors: bad JSON, values the host cannot honour, resources runt cannot apply, stopped container', async t => {
    const id = running(t)
    const bad = updateWithStdin(['-r', '-', id], '{"memory": ')
    t.equal(bad.status, 1)
    t.match(bad.stderr, /resources from stdin/)

    // no such CPU: refused by v1 and v2 alike (a tiny memory limit is refused by v1 only; v2 OOM-kills instead)
    const refused = runt(['update', '--cpuset-cpus', '4096', id])
    t.equal(refused.status, 1)
    t.match(refused.stderr, /the kernel refused cpuset\.cpus = 4096/, 'names the setting')

    const hugepages = updateWithStdin(['-r', '-', id], '{"hugepageLimits":[{"pageSize":"3MB","limit":0}]}')
    t.match(hugepages.stderr, /linux\.resources\.hugepageLimits\[0\]\.pageSize: "3MB"/)
    const rdt = runt(['update', '--l3-cache-schema', 'L3:0=f', id])
    t.equal(rdt.status, 1)
    t.match(rdt.stderr, /--l3-cache-schema: Intel RDT/)
    t.same([recorded(id).memory.limit, recorded(id).cpu.cpus], [64 * MiB, undefined], 'a failed update records nothing')

    t.equal(runt(['kill', id, 'KILL']).status, 0)
    for (let i = 0; i < 100 && JSON.parse(runt(['state', id]).stdout).status !== 'stopped'; i++) spawnSync('sleep', ['0.1'])
    const stopped = runt(['update', '--pids-limit', '5', id])
    t.equal(stopped.status, 1)
    t.match(stopped.stderr, /container not running/)
  })
}
