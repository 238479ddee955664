import t from 'tap'
import path from 'node:path'
import { formatList, formatState, stateEntry, userName, stateDirOwner, type ListEntry } from '../../src/state/format'
import type { ContainerRecord } from '../../src/state/store'

function record(extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: 'web', ociVersion: '1.3.0', bundle: '/srv/b', rootfs: '/srv/b/rootfs', created: '2026-11-22T07:24:01.954089246Z',
    initPid: 13497, initStartTime: '1', annotations: {}, owner: 0, cgroupPaths: {}, namespacePaths: {},
    sharedPidNs: false, config: { ociVersion: '1.3.0' }, rootless: false, ...extra,
  }
}

t.test('state: runc\'s keys in runc\'s order, two-space indent, no trailing newline', async t => {
  t.equal(formatState(record(), 'created'), [
    '{',
    '  "ociVersion": "1.3.0",',
    '  "id": "web",',
    '  "pid": 13497,',
    '  "status": "created",',
    '  "bundle": "/srv/b",',
    '  "rootfs": "/srv/b/rootfs",',
    '  "created": "2026-11-22T07:24:01.954089246Z",',
    '  "owner": ""',
    '}',
  ].join('\n'))
})

t.test('state: pid 0 when stopped; annotations shown when present, HTML characters escaped as Go does', async t => {
  t.equal(formatState(record({ annotations: { 'a.b': 'x<y&z>' } }), 'stopped'), [
    '{',
    '  "ociVersion": "1.3.0",',
    '  "id": "web",',
    '  "pid": 0,',
    '  "status": "stopped",',
    '  "bundle": "/srv/b",',
    '  "rootfs": "/srv/b/rootfs",',
    '  "created": "2026-11-22T07:24:01.954089246Z",',
    '  "annotations": {',
    '    "a.b": "x\\u003cy\\u0026z\\u003e"',
    '  },',
    '  "owner": ""',
    '}',
  ].join('\n'))
})

const entries: ListEntry[] = [
  stateEntry(record({ id: 'cmp1', bundle: '/tmp/rcmp', annotations: { k: 'v' } }), 'created', 'root'),
  stateEntry(record({ id: 'a-much-longer-container-id', initPid: 7, bundle: '/b' }), 'stopped', '#1000'),
]

t.test('list table: columns at least 12 wide, else widest cell + 3 spaces; the last column unpadded', async t => {
  t.equal(formatList(entries, 'table', false),
    'ID                           PID         STATUS      BUNDLE      CREATED                          OWNER\n' +
    'cmp1                         13497       created     /tmp/rcmp   2026-11-22T07:24:01.954089246Z   root\n' +
    'a-much-longer-container-id   0           stopped     /b          2026-11-22T07:24:01.954089246Z   #1000\n')
})

t.test('list table: byte for byte what runc 1.1.5 printed for the same container', async t => {
  t.equal(formatList(entries.slice(0, 1), 'table', false),
    'ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n' +
    'cmp1        13497       created     /tmp/rcmp   2026-11-22T07:24:01.954089246Z   root\n')
})

t.test('list table with no containers: the header only (as runc prints it)', async t => {
  t.equal(formatList([], 'table', false), 'ID          PID         STATUS      BUNDLE      CREATED     OWNER\n')
})

t.test('list table measures characters, not bytes (Go counts runes)', async t => {
  const wide = [stateEntry(record({ id: 'x', bundle: '/é/ü/ß/ø/å/ñ/ç' }), 'running', 'root')]
  const lines = formatList(wide, 'table', false).split('\n')
  t.equal(lines[0].indexOf('CREATED'), lines[1].indexOf('2026'), 'CREATED column aligned after a 14-character bundle')
  t.equal(lines[1], 'x           13497       running     /é/ü/ß/ø/å/ñ/ç   2026-11-22T07:24:01.954089246Z   root')
})

t.test('list json: one line, state objects with owner; null when empty', async t => {
  t.equal(formatList(entries, 'json', false),
    '[{"ociVersion":"1.3.0","id":"cmp1","pid":13497,"status":"created","bundle":"/tmp/rcmp","rootfs":"/srv/b/rootfs",' +
    '"created":"2026-11-22T07:24:01.954089246Z","annotations":{"k":"v"},"owner":"root"},' +
    '{"ociVersion":"1.3.0","id":"a-much-longer-container-id","pid":0,"status":"stopped","bundle":"/b","rootfs":"/srv/b/rootfs",' +
    '"created":"2026-11-22T07:24:01.954089246Z","owner":"#1000"}]\n')
  t.equal(formatList([], 'json', false), 'null\n')
})

t.test('list quiet: ids one per line, nothing when empty', async t => {
  t.equal(formatList(entries, 'table', true), 'cmp1\na-much-longer-container-id\n')
  t.equal(formatList(entries, 'json', true), 'cmp1\na-much-longer-container-id\n')
  t.equal(formatList([], 'table', true), '')
})

t.test('owner names come from the passwd file, else #uid', async t => {
  const dir = t.testdir({ passwd: 'root:x:0:0:root:/root:/bin/sh\n# comment\nalice:x:1000:1000::/home/alice:/bin/sh\nbroken\n' })
  const passwd = path.join(dir, 'passwd')
  t.equal(userName(0, passwd), 'root')
  t.equal(userName(1000, passwd), 'alice')
  t.equal(userName(1001, passwd), '#1001')
  t.equal(userName(0, path.join(dir, 'missing')), '#0')
  t.equal(stateDirOwner(dir, passwd), userName(process.getuid?.() ?? 0, passwd), 'the directory owner')
})
