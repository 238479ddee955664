import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseMountOptions } from '../../src/plan/mount-options'
import { hostFacts } from '../../src/plan/host-facts'

// mount(2) and mount_setattr(2) numbers, written out so the tables are checked
const MS = {
  RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, SYNCHRONOUS: 0x10, REMOUNT: 0x20, MANDLOCK: 0x40,
  DIRSYNC: 0x80, NOSYMFOLLOW: 0x100, NOATIME: 0x400, NODIRATIME: 0x800, BIND: 0x1000, REC: 0x4000,
  SILENT: 0x8000, UNBINDABLE: 0x20000, PRIVATE: 0x40000, SLAVE: 0x80000, SHARED: 0x100000,
  RELATIME: 0x200000, I_VERSION: 0x800000, STRICTATIME: 0x1000000, LAZYTIME: 0x2000000,
}
const ATTR = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4, NOEXEC: 0x8, ATIME: 0x70, NOATIME: 0x10, STRICTATIME: 0x20, NODIRATIME: 0x80, NOSYMFOLLOW: 0x200000 }

t.test('each flag option sets its MS_* bit, its opposite clears it', async t => {
  const pairs: [string, string | null, number][] = [
    ['ro', 'rw', MS.RDONLY], ['nosuid', 'suid', MS.NOSUID], ['nodev', 'dev', MS.NODEV], ['noexec', 'exec', MS.NOEXEC],
    ['sync', 'async', MS.SYNCHRONOUS], ['dirsync', null, MS.DIRSYNC], ['remount', null, MS.REMOUNT],
    ['mand', 'nomand', MS.MANDLOCK], ['noatime', 'atime', MS.NOATIME], ['nodiratime', 'diratime', MS.NODIRATIME],
    ['relatime', 'norelatime', MS.RELATIME], ['strictatime', 'nostrictatime', MS.STRICTATIME],
    ['bind', null, MS.BIND], ['rbind', null, MS.BIND | MS.REC], ['silent', 'loud', MS.SILENT],
    ['iversion', 'noiversion', MS.I_VERSION], ['lazytime', 'nolazytime', MS.LAZYTIME],
    ['nosymfollow', 'symfollow', MS.NOSYMFOLLOW],
  ]
  for (const [set, clear, bit] of pairs) {
    const parsed = parseMountOptions([set])
    t.same([parsed.flags, parsed.data], [bit, ''], set)
    if (clear) {
      const cleared = parseMountOptions([set, clear])
      t.equal(cleared.flags & bit, 0, `${set},${clear}`)
      t.equal(cleared.clearedFlags & bit, bit, `${clear} is recorded as cleared`)
      t.equal(parseMountOptions([clear, set]).flags & bit, bit, `${clear},${set}: the later one wins`)
    }
  }
  t.equal(parseMountOptions(['ro', 'nosuid', 'nodev', 'noexec']).flags, MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC)
})

t.test('propagation options become separate steps, in order', async t => {
  const parsed = parseMountOptions(['private', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable', 'rprivate', 'shared'])
  t.same(parsed.propagation, [
    MS.PRIVATE, MS.SHARED | MS.REC, MS.SLAVE, MS.SLAVE | MS.REC, MS.UNBINDABLE, MS.UNBINDABLE | MS.REC,
    MS.PRIVATE | MS.REC, MS.SHARED,
  ])
  t.same([parsed.flags, parsed.data], [0, ''])
})

t.test('recursive attributes go to mount_setattr set/clear masks', async t => {
  const cases: [string, string, number][] = [
    ['rro', 'rrw', ATTR.RDONLY], ['rnosuid', 'rsuid', ATTR.NOSUID], ['rnodev', 'rdev', ATTR.NODEV],
    ['rnoexec', 'rexec', ATTR.NOEXEC], ['rnodiratime', 'rdiratime', ATTR.NODIRATIME],
    ['rnosymfollow', 'rsymfollow', ATTR.NOSYMFOLLOW],
  ]
  for (const [set, clear, bit] of cases) {
    t.same(parseMountOptions([set]), parsedWith({ recAttrSet: bit }), set)
    t.same(parseMountOptions([clear]), parsedWith({ recAttrClr: bit }), clear)
    t.same(parseMountOptions([clear, set]), parsedWith({ recAttrSet: bit }), `${clear},${set}: the later one wins`)
    t.same(parseMountOptions([set, clear]), parsedWith({ recAttrClr: bit }), `${set},${clear}: the later one wins`)
  }
  t.equal(parseMountOptions(['ro']).recAttrSet, 0, 'plain ro is not recursive')
})

t.test('recursive atime options set the whole 3-bit atime field', async t => {
  t.same(parseMountOptions(['rnoatime']), parsedWith({ recAttrSet: ATTR.NOATIME, recAttrClr: ATTR.ATIME }))
  t.same(parseMountOptions(['rstrictatime']), parsedWith({ recAttrSet: ATTR.STRICTATIME, recAttrClr: ATTR.ATIME }))
  t.same(parseMountOptions(['rrelatime']), parsedWith({ recAttrSet: 0, recAttrClr: ATTR.ATIME }))
  for (const back of ['ratime', 'rnorelatime', 'rnostrictatime']) {
    t.same(parseMountOptions(['rnoatime', back]), parsedWith({ recAttrSet: 0, recAttrClr: ATTR.ATIME }), back)
  }
  t.same(parseMountOptions(['rnoatime', 'rstrictatime', 'rro']),
    parsedWith({ recAttrSet: ATTR.STRICTATIME | ATTR.RDONLY, recAttrClr: ATTR.ATIME }), 'the last atime value wins')
})

t.test('everything else is fs data, in order; extensions are recorded', async t => {
  t.equal(parseMountOptions(['nosuid', 'mode=755', 'size=65536k', 'ro', 'uid=0']).data, 'mode=755,size=65536k,uid=0')
  t.equal(parseMountOptions(['defaults', 'x']).data, 'x', '"defaults" means no option')
  t.same([parseMountOptions(['tmpcopyup']).tmpcopyup, parseMountOptions(['tmpcopyup']).data], [true, ''])
  t.equal(parseMountOptions(['idmap']).idmap, 'idmap')
  t.equal(parseMountOptions(['ridmap']).idmap, 'ridmap')
  t.same(parseMountOptions(), parsedWith({}))
})

t.test('hostFacts reads the real file system', async t => {
  const dir = t.testdir()
  mkdirSync(join(dir, 'd'))
  writeFileSync(join(dir, 'f'), '')
  const layout = { kind: 'v1' as const, hierarchies: [{ name: 'memory', hostPath: '/sys/fs/cgroup/memory' }] }
  const f = hostFacts(layout)
  t.same([f.isDirectory(join(dir, 'd')), f.isDirectory(join(dir, 'f')), f.isDirectory(join(dir, 'missing'))], [true, false, undefined])
  t.equal(f.isDirectory(join(dir, 'f', 'under-a-file')), undefined)
  t.equal(f.cgroupLayout, layout)
  t.equal(typeof f.hasProcKcore, 'boolean')
})

function parsedWith(fields: Partial<ReturnType<typeof parseMountOptions>>): ReturnType<typeof parseMountOptions> {
  return {
    flags: 0, clearedFlags: 0, propagation: [], recAttrSet: 0, recAttrClr: 0, data: '', tmpcopyup: false, idmap: null,
    ...fields,
  }
}
