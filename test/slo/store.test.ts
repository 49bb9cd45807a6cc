// The SLO store: a round trip through the file, the minutes the process was down left unseen,
// and every file it cannot use set aside with one warning, the SLOs starting fresh.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { decodeStore, encodeStore } from '../../lib/slo/slo-store.ts'
import type { SloDefinition } from '../../lib/types.ts'
import { DAY, EPOCH, MINUTE, times, trackSlos } from '../helpers/slo.ts'

const API: SloDefinition = { name: 'api', objective: 99, window: '1d', sli: 'availability' }
const FAST: SloDefinition = { name: 'fast', objective: 95, window: '30d', sli: { latency: { thresholdMs: 100 } } }

function directory (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-slo-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A clock the test moves by hand. */
function manualClock (at = EPOCH): { now: () => number, set: (ms: number) => void } {
  let time = at
  return { now: () => time, set: (ms) => { time = ms } }
}

t.test('a round trip: the counts written on close are read back at start', async (t) => {
  const store = join(directory(t), 'slo.bin')
  const clock = manualClock()
  const first = trackSlos(t, [API, FAST], { store, now: clock.now })
  times(97, () => first.end('/a', 200, 20))
  times(3, () => first.end('/a', 500, 20))
  clock.set(EPOCH + 5 * MINUTE)
  times(10, () => first.end('/a', 200, 500))
  await first.close()
  t.ok(existsSync(store), 'written on close')
  t.same(readdirSync(join(store, '..')), ['slo.bin'], 'no temporary file left')

  // Down for 10 minutes, then restarted.
  clock.set(EPOCH + 15 * MINUTE)
  const second = trackSlos(t, [API, FAST], { store, now: clock.now })
  const [api, fast] = second.statuses()
  t.match(api, { good: 107, total: 110 })
  t.match(fast, { good: 100, total: 110 })
  t.equal(api!.coverage, 7 / 1440, 'the 6 minutes it ran, and this one; not the 9 it was down')
  t.same(second.reports.warnings, [], 'no warning')
  second.end('/a', 500)
  t.match(second.statuses()[0], { good: 107, total: 111 }, 'counting goes on')
  // A day later, the day-long window has let go of them all.
  clock.set(EPOCH + DAY + 16 * MINUTE)
  t.match(second.statuses()[0], { total: 0 })
  t.match(second.statuses()[1], { total: 111 })
})

t.test('written every writeIntervalMs, atomically, without waiting for close', async (t) => {
  const store = join(directory(t), 'slo.bin')
  const slos = trackSlos(t, [API], { store, writeIntervalMs: 1000 })
  times(4, () => slos.end('/a', 200))
  const deadline = Date.now() + 5000
  while (!existsSync(store) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  const read = decodeStore(readFileSync(store), Math.floor(Date.now() / MINUTE))
  t.equal(read.kind, 'ok')
  if (read.kind === 'ok') t.equal(read.slos[0]!.total.reduce((a, b) => a + b, 0), 4)
})

for (const [kind, damage] of [
  ['corrupt', (bytes: Buffer) => bytes.subarray(0, bytes.length - 100)],
  ['corrupt', (bytes: Buffer) => { const copy = Buffer.from(bytes); copy[copy.length - 50]! ^= 0xff; return copy }],
  ['corrupt', () => Buffer.from('{"not":"a store"}')],
  ['foreign', (bytes: Buffer) => { const copy = Buffer.from(bytes); copy.writeUInt32LE(2, 8); return copy }],
] as const) {
  t.test(`a ${kind} file is set aside, with one warning, and the SLOs start fresh`, async (t) => {
    const dir = directory(t)
    const store = join(dir, 'slo.bin')
    const clock = manualClock()
    const first = trackSlos(t, [API], { store, now: clock.now })
    times(5, () => first.end('/a', 200))
    await first.close()
    writeFileSync(store, damage(readFileSync(store)))
    clock.set(EPOCH + MINUTE)
    const second = trackSlos(t, [API], { store, now: clock.now })
    t.match(second.statuses()[0], { total: 0 }, 'fresh')
    t.equal(second.reports.warnings.length, 1, 'one warning')
    t.match(second.reports.warnings[0], { key: 'slo-store', msg: new RegExp(`SLO store is ${kind}.*set aside; the SLOs start fresh`), details: { store, setAsideAs: `${store}.${kind}-${EPOCH + MINUTE}` } })
    t.same(readdirSync(dir), [`slo.bin.${kind}-${EPOCH + MINUTE}`], 'renamed, kept for whoever wants to look')
    await second.close()
    t.ok(existsSync(store), 'a sound store written in its place')
  })
}

t.test('a file written for other SLOs: those it has are restored, the others start fresh, the file is kept aside', async (t) => {
  const dir = directory(t)
  const store = join(dir, 'slo.bin')
  const clock = manualClock()
  const first = trackSlos(t, [API, FAST], { store, now: clock.now })
  times(5, () => first.end('/a', 200))
  await first.close()
  const second = trackSlos(t, [{ ...API, objective: 99.9 }, { ...FAST, controllers: ['/b'] }], { store, now: clock.now })
  t.match(second.statuses()[0], { total: 5 }, 'another objective counts the same events: restored')
  t.match(second.statuses()[1], { total: 0 }, 'other controllers: fresh')
  t.equal(second.reports.warnings.length, 1)
  t.match(second.reports.warnings[0]!.msg, /written for other SLO definitions and was set aside; fast starts fresh/)
  t.same(readdirSync(dir), [`slo.bin.foreign-${EPOCH}`])
})

t.test('a file from a clock ahead of this one, or too large, is foreign', async (t) => {
  const bytes = encodeStore([{ identity: 'x', head: 1000, good: new Uint32Array(2), total: new Uint32Array(2), seen: new Uint8Array(2) }], 0)
  t.match(decodeStore(bytes, 998), { kind: 'foreign', reason: /clock ahead/ })
  t.match(decodeStore(bytes, 999), { kind: 'ok' })
  const dir = directory(t)
  const store = join(dir, 'slo.bin')
  writeFileSync(store, Buffer.alloc(3 * 1024 * 1024))
  const slos = trackSlos(t, [API], { store })
  t.match(slos.reports.warnings[0]!.msg, /SLO store is foreign \(\d+ bytes, more than/)
})

t.test('a store that cannot be written is reported, never thrown', async (t) => {
  const store = join(directory(t), 'missing-dir', 'slo.bin')
  const slos = trackSlos(t, [API], { store })
  slos.end('/a', 200)
  await slos.close()
  t.match(slos.reports.failures, [{ subsystem: 'slo store', err: { code: 'ENOENT' } }])
  t.equal(slos.statuses()[0]!.total, 1, 'still counting')
})
