import t, { type Test } from 'tap'
import { ERROR_CODES } from '../../lib/errors.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { VigieOptions } from '../../lib/types.ts'

const good = { name: 'api', objective: 99.9, window: '30d', sli: 'availability' } as const

function refused (t: Test, options: unknown, option: string, code: string = ERROR_CODES.INVALID_OPTION): void {
  t.throws(() => resolveOptions(options as VigieOptions, {}), { code, option }, `${JSON.stringify(options)} → ${option}`)
}

t.test('none by default; a definition resolved, frozen, with the Workbook\'s table', async (t) => {
  t.same(resolveOptions({}, {}).slos, [])
  t.same(resolveOptions({}, {}).slo, { store: null, writeIntervalMs: 60_000 })
  const { slos, slo } = resolveOptions({
    slos: [good, { name: 'fast.checkout-1', objective: 95, window: '7d', sli: { latency: { thresholdMs: 250 } }, controllers: ['/checkout'] }],
    slo: { store: '/var/lib/app/slo.bin', writeIntervalMs: 5000 },
  }, {})
  t.equal(slos.length, 2)
  t.match(slos[0], { name: 'api', objective: 99.9, window: '30d', windowMs: 30 * 86_400_000, sli: { kind: 'availability' }, controllers: null })
  t.equal(slos[0]!.burnRateAlerts.length, 4)
  t.match(slos[1], { sli: { kind: 'latency', thresholdMs: 250 }, windowMs: 7 * 86_400_000 })
  t.same([...slos[1]!.controllers!], ['/checkout'])
  t.same(slo, { store: '/var/lib/app/slo.bin', writeIntervalMs: 5000 })
  t.ok(Object.isFrozen(slos) && Object.isFrozen(slos[0]) && Object.isFrozen(slos[0]!.burnRateAlerts))
})

t.test('each bad field is a coded error naming it', async (t) => {
  refused(t, { slos: good }, 'slos')
  refused(t, { slos: [good, 'x'] }, 'slos[1]')
  refused(t, { slos: [{ ...good, name: '' }] }, 'slos[0].name')
  refused(t, { slos: [{ ...good, name: 'a b' }] }, 'slos[0].name')
  refused(t, { slos: [{ ...good, name: 'a|b' }] }, 'slos[0].name')
  refused(t, { slos: [{ ...good, name: 'x'.repeat(65) }] }, 'slos[0].name')
  refused(t, { slos: [good, good] }, 'slos[1].name')
  for (const objective of [0, 100, -1, 101, '99.9', NaN, undefined]) refused(t, { slos: [good, { ...good, name: 'b', objective }] }, 'slos[1].objective')
  for (const window of ['30s', '90s', '367d', '30', 30, 'forever', undefined]) refused(t, { slos: [good, { ...good, name: 'b' }, { ...good, name: 'c', window }] }, 'slos[2].window')
  for (const sli of ['latency', 'Availability', undefined, null, []]) refused(t, { slos: [{ ...good, sli }] }, 'slos[0].sli')
  for (const sli of [{}, { latency: 300 }]) refused(t, { slos: [{ ...good, sli }] }, 'slos[0].sli.latency')
  for (const thresholdMs of [0, -5, '300', Infinity, undefined]) refused(t, { slos: [{ ...good, sli: { latency: { thresholdMs } } }] }, 'slos[0].sli.latency.thresholdMs')
  refused(t, { slos: [{ ...good, controllers: [] }] }, 'slos[0].controllers')
  refused(t, { slos: [{ ...good, controllers: '/a' }] }, 'slos[0].controllers')
  refused(t, { slos: [{ ...good, controllers: ['/a', ''] }] }, 'slos[0].controllers[1]')
  refused(t, { slos: [{ ...good, burnRateAlerts: true }] }, 'slos[0].burnRateAlerts')
  const line = { severity: 'page', factor: 10, longWindow: '1h', shortWindow: '5m' }
  refused(t, { slos: [{ ...good, burnRateAlerts: [line, { ...line, severity: 'urgent' }] }] }, 'slos[0].burnRateAlerts[1].severity')
  refused(t, { slos: [{ ...good, burnRateAlerts: [{ ...line, factor: 0 }] }] }, 'slos[0].burnRateAlerts[0].factor')
  refused(t, { slos: [{ ...good, window: '1d', burnRateAlerts: [{ ...line, longWindow: '2d' }] }] }, 'slos[0].burnRateAlerts[0].longWindow')
  refused(t, { slos: [{ ...good, burnRateAlerts: [{ ...line, shortWindow: '2h' }] }] }, 'slos[0].burnRateAlerts[0].shortWindow')
  refused(t, { slos: [{ ...good, burnRateAlerts: [{ ...line, shortWindow: '30s' }] }] }, 'slos[0].burnRateAlerts[0].shortWindow')
  refused(t, { slo: { store: '' } }, 'slo.store')
  refused(t, { slo: { store: 5 } }, 'slo.store')
  refused(t, { slo: { writeIntervalMs: 61_000 } }, 'slo.writeIntervalMs')
  refused(t, { slo: { writeIntervalMs: 999 } }, 'slo.writeIntervalMs')
  refused(t, { slo: 'file' }, 'slo')
})

t.test('unknown names are refused by name, at every level', async (t) => {
  refused(t, { slos: [{ ...good, objectiv: 99 }] }, 'slos[0].objectiv', ERROR_CODES.UNKNOWN_OPTION)
  refused(t, { slos: [{ ...good, sli: { latency: { threshold: 5 } } }] }, 'slos[0].sli.latency.threshold', ERROR_CODES.UNKNOWN_OPTION)
  refused(t, { slos: [{ ...good, burnRateAlerts: [{ severity: 'page', factor: 1, longWindow: '1h', shortWindow: '5m', for: '1m' }] }] }, 'slos[0].burnRateAlerts[0].for', ERROR_CODES.UNKNOWN_OPTION)
  refused(t, { slo: { path: 'x' } }, 'slo.path', ERROR_CODES.UNKNOWN_OPTION)
})

t.test('bounded: at most 50 SLOs, windows adding up to at most 1500 days', async (t) => {
  const many = (n: number, window: string): unknown[] => Array.from({ length: n }, (_, i) => ({ ...good, name: `s${i}`, window }))
  t.equal(resolveOptions({ slos: many(50, '30d') as VigieOptions['slos'] }, {}).slos.length, 50)
  refused(t, { slos: many(51, '1h') }, 'slos')
  refused(t, { slos: many(5, '366d') }, 'slos')
  t.throws(() => resolveOptions({ slos: many(5, '366d') as VigieOptions['slos'] }, {}), /add up to at most 1500d/)
})

t.test('the message names the field, says what is expected and what was received', async (t) => {
  t.throws(() => resolveOptions({ slos: [good, { ...good, name: 'b', objective: 100 }] }, {}),
    { message: 'vigie: option "slos[1].objective" must be a percentage greater than 0 and less than 100, e.g. 99.9; received 100 (number)' })
})

t.test('`slo: [...]` for `slos: [...]`: the error says which option holds the list', async (t) => {
  t.throws(() => resolveOptions({ slo: [{ name: 'api' }] } as never, {}), {
    code: 'VIGIE_ERR_INVALID_OPTION', option: 'slo', message: /the list of SLOs is "slos"/,
  })
})
