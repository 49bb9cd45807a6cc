// The rings under each SLO, and the store's decoding of what it cannot use, case by case.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import t from 'tap'
import { MinuteCounts } from '../../lib/slo/minute-counts.ts'
import { decodeStore, encodeStore, setAside } from '../../lib/slo/slo-store.ts'
import { trackSlos } from '../helpers/slo.ts'

t.test('a minute holds at most 2³² − 1 events; past it they are dropped, good and total alike', async (t) => {
  const counts = new MinuteCounts(10, [5], 100)
  counts.total[100 % 10] = 0xffff_fffe
  counts.add(100, false)
  counts.add(100, true)
  t.equal(counts.total[0], 0xffff_ffff)
  t.equal(counts.good[0], 0, 'the dropped event was not counted good either')
})

t.test('a jump past the whole window empties it: seen while the process ran, unseen while it was down', async (t) => {
  const counts = new MinuteCounts(10, [3], 100)
  counts.add(100, true)
  counts.advance(150, true)
  t.same(counts.sum(10), { good: 0, total: 0 })
  t.equal(counts.coverage, 1)
  counts.add(150, true)
  counts.advance(300, false)
  t.same(counts.sum(3), { good: 0, total: 0 })
  t.equal(counts.coverage, 0.1, 'only now is seen')
})

t.test('restore recomputes the sums of the spans kept', async (t) => {
  const source = new MinuteCounts(60, [5], 1000)
  for (let m = 1000; m < 1030; m++) { source.add(m, true); source.add(m, m % 3 === 0) }
  const copy = new MinuteCounts(60, [5], 0)
  copy.restore(source.head, source.good, source.total, source.seen)
  for (const span of [5, 60, 7]) t.same(copy.sum(span), source.sum(span), `span ${span}`)
  t.equal(copy.coverage, source.coverage)
})

/** A store's bytes around `header`, with a right checksum. */
function store (header: string, body = Buffer.alloc(0), format = 1): Buffer {
  const head = Buffer.from(header)
  const prefix = Buffer.alloc(16)
  prefix.write('VIGIESLO', 'latin1')
  prefix.writeUInt32LE(format, 8)
  prefix.writeUInt32LE(head.length, 12)
  const content = Buffer.concat([prefix, head, body])
  const sum = Buffer.alloc(4)
  sum.writeUInt32LE(crc32(content))
  return Buffer.concat([content, sum])
}

t.test('what decodeStore refuses, and why', async (t) => {
  t.match(decodeStore(store('{not json'), 0), { kind: 'corrupt', reason: 'unreadable header' })
  t.match(decodeStore(store('null'), 0), { kind: 'corrupt', reason: 'bad header' })
  t.match(decodeStore(store('{"endianness":"XE","slos":[]}'), 0), { kind: 'foreign', reason: /XE machine/ })
  const le = (slos: string): string => `{"endianness":"LE","slos":${slos}}`
  t.match(decodeStore(store(le('[{"identity":"a","minutes":0,"head":1}]')), 0), { kind: 'corrupt', reason: 'bad header entry' })
  t.match(decodeStore(store(le('[null]')), 0), { kind: 'corrupt', reason: 'bad header entry' })
  t.match(decodeStore(store(le('[{"identity":"a","minutes":2,"head":1}]'), Buffer.alloc(10)), 5), { kind: 'corrupt', reason: 'truncated counts' })
  t.match(decodeStore(store(le('[{"identity":"a","minutes":1,"head":1}]'), Buffer.alloc(10)), 5), { kind: 'corrupt', reason: 'trailing bytes' })
  t.match(decodeStore(store(le('[]'), Buffer.alloc(0), 7), 0), { kind: 'foreign', reason: /store format 7/ })
  const bad = store(le('[]'))
  bad.writeUInt32LE(2 * 1024 * 1024, 12)
  t.match(decodeStore(bad, 0), { kind: 'corrupt' })
  t.match(decodeStore(store(le('[]')), 0), { kind: 'ok', slos: [] })
  const encoded = encodeStore([{ identity: 'a', head: 5, good: Uint32Array.of(1, 2), total: Uint32Array.of(3, 4), seen: Uint8Array.of(1, 0) }], 0)
  t.match(decodeStore(encoded, 5), { kind: 'ok', slos: [{ identity: 'a', head: 5, good: Uint32Array.of(1, 2), total: Uint32Array.of(3, 4), seen: Uint8Array.of(1, 0) }] })
})

t.test('a store that cannot be read or renamed: one warning, a fresh start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-slo-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const directory = join(dir, 'slo.bin')
  mkdirSync(directory)
  const slos = trackSlos(t, [{ name: 'api', objective: 99, window: '1h', sli: 'availability' }], { store: directory })
  t.match(slos.reports.warnings, [{ key: 'slo-store', msg: /could not be read \(EISDIR\); the SLOs start fresh/ }])
  t.equal(slos.reports.warnings.length, 1)
  t.equal(slos.statuses()[0]!.total, 0)
  t.equal(setAside(join(dir, 'missing'), 'corrupt', 1), null, 'a rename that fails says so')
})
