// Many lifecycles leave nothing behind; descriptors pass only as asked.
import t from 'tap'
import fs from 'node:fs'
import { containerSuite, shBundle, hostMountCount, cgroupDirsNamed, processesMentioning } from './helpers'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite

  t.test('100 create/start/kill/delete cycles leave no process, mount, cgroup or state', async t => {
    const marker = `leakcheck${process.pid}`
    const bundle = shBundle(`exec sleep 7777`, s => { s.process.env.push(`MARK=${marker}`) })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const mounts = hostMountCount()
    const prefix = `loop${process.pid}-`
    for (let i = 0; i < 100; i++) {
      const id = `${prefix}${i}`
      const steps = [['create', '-b', bundle, id], ['start', id], ['kill', id, 'KILL'], ['delete', '--force', id]]
      for (const step of steps) {
        const r = runt(step)
        if (r.status !== 0) {
          t.fail(`cycle ${i}: ${step[0]} failed: ${r.stderr}`)
          return
        }
      }
    }
    t.pass('100 cycles ran')
    t.same(fs.readdirSync(root), [], 'no state directory left')
    t.same(cgroupDirsNamed(prefix), [], 'no cgroup directory left')
    t.equal(hostMountCount(), mounts, 'no mount left')
    t.same(processesMentioning('sleep 7777'), [], 'no container process left')
  })

  t.test('--preserve-fds passes exactly fds 3..3+N-1', async t => {
    const bundle = shBundle('ls /proc/self/fd | tr "\\n" " "; cat <&3')
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const file = `${bundle}/payload`
    fs.writeFileSync(file, 'through fd 3\n')
    const fd3 = fs.openSync(file, 'r')
    const fd4 = fs.openSync(file, 'r')
    const r = runt(['run', '--preserve-fds', '1', '-b', bundle, `fds${process.pid}`], {}, [fd3, fd4])
    fs.closeSync(fd3)
    fs.closeSync(fd4)
    t.equal(r.status, 0, r.stderr)
    // ls itself opens one descriptor for /proc/self/fd
    t.equal(r.stdout, '0 1 2 3 4 through fd 3\n', 'fd 4 is the directory ls reads')
    t.notMatch(r.stdout, /^0 1 2 3 4 5 /, 'fd 4 was not passed')
  })

  t.test('LISTEN_FDS: socket-activation fds pass first, and the process is told', async t => {
    const bundle = shBundle('echo $LISTEN_FDS $LISTEN_PID; ls /proc/self/fd | tr "\\n" " "; echo; cat <&3; cat <&4')
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const file = (text: string) => {
      const p = `${bundle}/${text}`
      fs.writeFileSync(p, `${text}\n`)
      return fs.openSync(p, 'r')
    }
    const fds = [file('activated'), file('preserved')]
    const r = runt(['run', '--preserve-fds', '1', '-b', bundle, `listen${process.pid}`], { env: { ...process.env, LISTEN_FDS: '1' } }, fds)
    for (const fd of fds) fs.closeSync(fd)
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, '1 1\n0 1 2 3 4 5 \nactivated\npreserved\n')
  })
}
