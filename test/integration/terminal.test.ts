// Terminals, runc's four stdio modes (docs/terminals.md), through bin/runt: a detached
// terminal goes to the caller's --console-socket; in the foreground runt relays its own
// terminal (a real pty from script(1) here) to the container's; pass-through is in
// exec.test.ts and lifecycle.test.ts.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import tty from 'node:tty'
import { spawn } from 'node:child_process'
import { RUNT, containerSuite, shBundle, uniqueId, tempDir } from './helpers'
import { native } from '../../src/sys/native'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const runtCmd = `${RUNT} --root ${root}`
  const settle = () => new Promise(r => setTimeout(r, 20))

  /** A running container whose init sleeps; removed at the end of the test. */
  function running(t: { teardown(fn: () => void): void }): string {
    const bundle = shBundle('exec sleep 100000')
    const id = uniqueId('tty')
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    const r = runt(['run', '-d', '-b', bundle, id])
    if (r.status !== 0) throw new Error(`run -d failed: ${r.stderr}`)
    return id
  }

  /**
   * Run a shell command on a new pty (script(1)), as a person at a terminal or CRI-O's
   * kubectl exec -t would: its status and everything the terminal showed.
   */
  function onPty(command: string, input = ''): Promise<{ status: number | null; output: string }> {
    return new Promise(resolve => {
      const child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] })
      let output = ''
      child.stdout.on('data', d => { output += d })
      child.stderr.on('data', d => { output += d })
      // stdin stays open until the end: at EOF script would type an end-of-file
      if (input) child.stdin.write(input)
      child.on('close', status => {
        child.stdin.destroy()
        resolve({ status, output })
      })
    })
  }

  /** A unix socket a caller listens on for the pty master (as containerd's shim and conmon do). */
  function consoleServer(t: { teardown(fn: () => void): void }) {
    const dir = tempDir('runt-console-test-')
    const socketPath = path.join(dir, 'console.sock')
    const listenFd = native().unixListen(socketPath)
    t.teardown(() => {
      fs.closeSync(listenFd)
      fs.rmSync(dir, { recursive: true, force: true })
    })
    return {
      path: socketPath,
      /** whether a connection is waiting (it is accepted and closed) */
      pending(): boolean {
        const conn = native().unixAccept(listenFd)
        if (conn !== null) fs.closeSync(conn)
        return conn !== null
      },
      /** the one connection's messages: the master, then (asserted) nothing more */
      receive(): { master: number; payload: string; more: string } {
        const conn = native().unixAccept(listenFd)
        if (conn === null) throw new Error('nobody connected to the console socket')
        try {
          const { fd, payload } = native().recvFd(conn)
          let more = 'nothing'
          try {
            more = `another message: ${JSON.stringify(native().recvFd(conn))}`
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') more = String(err)
          }
          return { master: fd, payload, more }
        } finally {
          fs.closeSync(conn)
        }
      },
    }
  }

  /** Talk to a received master: what it shows, and a way to type into it. */
  function ptyTalk(master: number) {
    const stream = new tty.ReadStream(master)
    let shown = ''
    stream.on('data', d => { shown += d })
    stream.on('error', () => {})
    return {
      type: (text: string) => stream.write(text),
      async waitFor(text: string): Promise<string> {
        for (let i = 0; i < 1000 && !shown.includes(text); i++) await settle()
        return shown
      },
      close: () => stream.destroy(),
    }
  }

  t.test('exec -d -t: exactly one pty master goes to --console-socket, and it is the process\'s terminal', async t => {
    const id = running(t)
    const server = consoleServer(t)
    const dir = tempDir('runt-ttypid-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const pidFile = path.join(dir, 'pid')
    const r = runt(['exec', '-d', '-t', '--console-socket', server.path, '--pid-file', pidFile, id, 'sh'])
    t.equal(r.status, 0, r.stderr)
    const { master, payload, more } = server.receive()
    t.ok(payload.length > 0, 'a non-empty payload carries the descriptor')
    t.equal(more, 'nothing', 'one message with one descriptor, then the connection ends')
    const pid = Number(fs.readFileSync(pidFile, 'utf8'))
    t.match(fs.readlinkSync(`/proc/${pid}/fd/0`), /^\/dev\/pts\/\d+$/, 'stdin is the pty slave')

    const pty = ptyTalk(master)
    t.teardown(pty.close)
    pty.type('echo hi-$((6*7))\n')
    t.match(await pty.waitFor('hi-42\r\n'), 'hi-42\r\n', 'a command typed into the master runs; a console-socket pty keeps ONLCR')
    pty.type('exit\n')
    for (let i = 0; i < 500 && fs.existsSync(`/proc/${pid}`); i++) await settle()
    t.notOk(fs.existsSync(`/proc/${pid}`), 'exit typed into the terminal ends the process')
  })

  t.test('run -d with process.terminal: the master goes to --console-socket', async t => {
    const bundle = shBundle('tty; stty size; exec sleep 100000', spec => {
      spec.process.terminal = true
      spec.process.consoleSize = { height: 25, width: 90 }
    })
    const id = uniqueId('ttyrun')
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    const server = consoleServer(t)
    const r = runt(['run', '-d', '--console-socket', server.path, '-b', bundle, id])
    t.equal(r.status, 0, r.stderr)
    const { master, more } = server.receive()
    t.equal(more, 'nothing')
    const pty = ptyTalk(master)
    t.teardown(pty.close)
    t.match(await pty.waitFor('25 90'), /\/dev\/pts\/\d+\r\n25 90/, 'its terminal, with process.consoleSize')
  })

  t.test('foreground exec -t on a real terminal: output, exit status, window size, terminal mode restored', async t => {
    const id = running(t)
    const dir = tempDir('runt-mode-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const r = await onPty([
      'stty rows 33 cols 77',
      `stty -g > ${dir}/before`,
      `${runtCmd} exec -t ${id} sh -c 'tty; stty size; exit 5'`,
      'echo status=$?',
      `stty -g > ${dir}/after`,
    ].join('; '))
    t.equal(r.status, 0, r.output)
    t.match(r.output, /\/dev\/pts\/\d+\r\n33 77\r\nstatus=5\r\n/, 'the container\'s terminal has ours size; its exit status is runt\'s')
    t.notMatch(r.output, '\r\r\n', 'the container pty adds no second carriage return (ONLCR cleared)')
    t.equal(fs.readFileSync(`${dir}/after`, 'utf8'), fs.readFileSync(`${dir}/before`, 'utf8'), 'our terminal is back in its mode')
  })

  t.test('foreground exec -t puts our terminal in raw mode: one key, without Enter, reaches the container', async t => {
    const id = running(t)
    const dir = tempDir('runt-raw-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const r = await onPty([
      `stty -g > ${dir}/before`,
      `${runtCmd} exec -t ${id} sh -c 'read -t 20 -n 1 c; echo; echo got:$c'`,
      'echo status=$?',
      `stty -g > ${dir}/after`,
    ].join('; '), 'q')
    t.match(r.output, 'got:q', 'the key went through without a line end (a cooked terminal would have held it)')
    t.match(r.output, 'status=0')
    t.equal(fs.readFileSync(`${dir}/after`, 'utf8'), fs.readFileSync(`${dir}/before`, 'utf8'), 'raw mode is undone')
  })

  t.test('foreground exec -t follows our window size (SIGWINCH)', async t => {
    const id = running(t)
    const marker = `/dev/shm/ready-${process.pid}`
    const r = await onPty([
      'stty rows 10 cols 20',
      // the container prints its size, says so, then waits (bounded) for a change
      `${runtCmd} exec -t ${id} sh -c 'stty size; touch ${marker}; i=0; while [ "$(stty size)" = "10 20" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; stty size' &`,
      'p=$!',
      `i=0; until ${runtCmd} exec ${id} test -e ${marker} || [ $i -gt 200 ]; do sleep 0.05; i=$((i+1)); done`,
      'stty rows 30 cols 40',
      'wait $p; echo status=$?',
    ].join('\n'))
    t.match(r.output, /10 20\r\n30 40\r\nstatus=0/, 'first our old size, then the new one')
  })

  t.test('foreground run with process.terminal: the same relay, and the container is deleted after', async t => {
    const bundle = shBundle('tty; stty size; exit 4', spec => { spec.process.terminal = true })
    const id = uniqueId('ttyfg')
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    const dir = tempDir('runt-runmode-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const r = await onPty([
      'stty rows 21 cols 61',
      `stty -g > ${dir}/before`,
      `${runtCmd} run -b ${bundle} ${id}`,
      'echo status=$?',
      `stty -g > ${dir}/after`,
    ].join('; '))
    t.match(r.output, /\/dev\/pts\/\d+\r\n21 61\r\nstatus=4\r\n/)
    t.equal(fs.readFileSync(`${dir}/after`, 'utf8'), fs.readFileSync(`${dir}/before`, 'utf8'))
    t.match(runt(['state', id]).stderr, 'container does not exist')
  })

  t.test('foreground exec -t without a terminal of ours still relays', async t => {
    const id = running(t)
    const r = runt(['exec', '-t', id, 'sh', '-c', 'tty; echo done'])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /^\/dev\/pts\/\d+\ndone\n$/, 'plain line ends, since ONLCR is cleared')
  })

  t.test('a failing foreground exec -t leaves our terminal as it was', async t => {
    const id = running(t)
    const dir = tempDir('runt-failmode-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const r = await onPty([
      `stty -g > ${dir}/before`,
      `${runtCmd} exec -t ${id} no-such-program`,
      'echo status=$?',
      `stty -g > ${dir}/after`,
    ].join('; '))
    t.match(r.output, 'executable file not found in $PATH')
    t.match(r.output, 'status=255')
    t.equal(fs.readFileSync(`${dir}/after`, 'utf8'), fs.readFileSync(`${dir}/before`, 'utf8'))
  })

  t.test("the combinations runc refuses", async t => {
    const id = running(t)
    const server = consoleServer(t)
    const execCases: [string[], RegExp][] = [
      [['-d', '-t'], /exec failed: cannot allocate a terminal for a detached process without --console-socket/],
      [['-d', '--console-socket', server.path], /exec failed: cannot use --console-socket if the process does not have a terminal/],
      [['-t', '--console-socket', server.path], /exec failed: cannot use --console-socket in the foreground/],
    ]
    for (const [flags, message] of execCases) {
      const r = runt(['exec', ...flags, id, 'true'])
      t.equal(r.status, 255, flags.join(' '))
      t.match(r.stderr, message)
    }
    t.equal(server.pending(), false, 'a refused exec never connected to the console socket')

    const ttyBundle = shBundle('true', spec => { spec.process.terminal = true })
    const plainBundle = shBundle('true')
    t.teardown(() => {
      fs.rmSync(ttyBundle, { recursive: true, force: true })
      fs.rmSync(plainBundle, { recursive: true, force: true })
    })
    const createCases: [string[], RegExp][] = [
      [['run', '-d', '-b', ttyBundle], /cannot allocate a terminal for a detached process without --console-socket/],
      [['create', '-b', ttyBundle], /cannot allocate a terminal for a detached process without --console-socket/],
      [['create', '--console-socket', server.path, '-b', plainBundle], /cannot use --console-socket if the process does not have a terminal/],
      [['run', '--console-socket', server.path, '-b', ttyBundle], /cannot use --console-socket in the foreground/],
    ]
    for (const [args, message] of createCases) {
      const cid = uniqueId('refused')
      const r = runt([...args, cid])
      t.equal(r.status, 1, args.join(' '))
      t.match(r.stderr, message)
      t.match(runt(['state', cid]).stderr, 'container does not exist', 'nothing was created')
    }
  })
}
