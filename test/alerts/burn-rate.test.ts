import t from 'tap'
import { burnRules, readBurn } from '../../lib/alerts/burn-rules.ts'
import { T0, TestBurnSource, WORKBOOK_TABLE, alertHarness } from '../helpers/alert-harness.ts'

const MINUTE = 60_000
const DAY = 86_400_000

t.test('one rule per line of each SLO\'s table, named slo:<slo>:<severity>:<long>/<short>', async (t) => {
  const checkout = new TestBurnSource('checkout', 99.9, 30 * DAY, WORKBOOK_TABLE)
  const search = new TestBurnSource('search', 99, 7 * DAY, [
    { severity: 'info', factor: 2, longMs: 90 * MINUTE, shortMs: 10 * MINUTE },
    { severity: 'info', factor: 4, longMs: 90 * MINUTE, shortMs: 10 * MINUTE },
  ])
  const none = new TestBurnSource('quiet', 99, 30 * DAY, [])
  t.same(burnRules([checkout, search, none]).map((rule) => [rule.name, rule.severity, rule.factor]), [
    ['slo:checkout:page:1h/5m', 'page', 14.4],
    ['slo:checkout:page:6h/30m', 'page', 6],
    ['slo:checkout:ticket:1d/2h', 'ticket', 3],
    ['slo:checkout:ticket:3d/6h', 'ticket', 1],
    ['slo:search:info:90m/10m', 'info', 2],
    ['slo:search:info:90m/10m:2', 'info', 4],
  ], 'a line repeating another\'s severity and windows gets a suffix')

  const h = alertHarness(t, { rules: [{ name: 'g', metric: 'g', stat: 'last', window: '10s', above: 1, severity: 'info' }] }, [checkout])
  t.same(h.engine.statuses().map((s) => s.name), ['g', 'slo:checkout:page:1h/5m', 'slo:checkout:page:6h/30m', 'slo:checkout:ticket:1d/2h', 'slo:checkout:ticket:3d/6h'],
    'alerts() lists the threshold rules, then the burn-rate rules')
})

/**
 * A 99.9 % SLO over 30 days at 1000 requests a minute: its budget is 0.1 % of 43.2 million
 * requests, 43 200 bad ones. Spending 2 % of it (864) in one hour is a bad ratio of 864 / 60 000
 * = 1.44 %, 14.4 times the 0.1 % allowed: the workbook's page threshold.
 */
t.test('the workbook\'s check: 2 % of a 30-day budget spent in one hour is a burn rate of 14.4, and pages', async (t) => {
  const exactly = new TestBurnSource('exactly', 99.9, 30 * DAY, WORKBOOK_TABLE)
  const over = new TestBurnSource('over', 99.9, 30 * DAY, WORKBOOK_TABLE)
  const under = new TestBurnSource('under', 99.9, 30 * DAY, WORKBOOK_TABLE)
  const h = alertHarness(t, { evaluationInterval: '1m' }, [exactly, over, under])
  // 5000 requests every 5 minutes for an hour; 72 of them bad: 864 in the hour. `over` has one bad
  // more every 5 minutes, `under` one less.
  for (let i = 0; i < 12; i++) {
    h.advance(5 * MINUTE)
    exactly.record(5000 - 72, 72)
    over.record(5000 - 73, 73)
    under.record(5000 - 71, 71)
  }
  h.engine.evaluate()
  const [page] = burnRules([exactly])
  const burn = readBurn(page!)
  t.ok(Math.abs(burn.long! - 14.4) < 1e-9, `burn rate over 1h: ${burn.long}`)
  t.ok(Math.abs(burn.short! - 14.4) < 1e-9, `burn rate over 5m: ${burn.short}`)
  t.equal(Math.round(exactly.badRatio(3_600_000)! * exactly.total(3_600_000)), 864, '864 bad requests: 2 % of the 43 200 of the budget')

  const state = Object.fromEntries(h.engine.statuses().map((s) => [s.name, s]))
  t.match(state['slo:over:page:1h/5m'], { state: 'firing', severity: 'page' }, '2.01 % of the budget in an hour pages')
  t.ok(state['slo:over:page:1h/5m']!.value! > 14.4 && state['slo:over:page:1h/5m']!.value! < 14.7, 'its value is the burn rate over the long window')
  t.match(state['slo:exactly:page:1h/5m'], { state: 'firing', severity: 'page' }, 'exactly 2 % of the budget in an hour pages')
  t.match(state['slo:under:page:1h/5m'], { state: 'ok' }, '1.97 % does not')

  const notice = h.notices.find((n) => n.rule === 'slo:over:page:1h/5m')!
  t.match(notice, { status: 'firing', severity: 'page', threshold: 14.4, labels: { alertname: 'slo:over:page:1h/5m', severity: 'page', slo: 'over' }, endsAt: null })
  t.match(notice.annotations.summary, /^slo:over:page:1h\/5m firing: SLO over \(99\.9%\) burns its error budget at 14\.6× over 1h and 14\.6× over 5m \(fires at 14\.4× in both\)$/)
  const line = h.alertLines().find((l) => l.alert.rule === 'slo:over:page:1h/5m' && l.msg === 'alert firing')!
  t.match(line, { level: 40, alert: { state: 'firing', threshold: 14.4, severity: 'page' } })
})

t.test('a burn-rate rule resolves as soon as either window drops under the rate', async (t) => {
  const slo = new TestBurnSource('api', 99, 30 * DAY, [{ severity: 'page', factor: 10, longMs: 60 * MINUTE, shortMs: 5 * MINUTE }])
  const h = alertHarness(t, { evaluationInterval: '1m' }, [slo])
  for (let i = 0; i < 6; i++) {
    slo.record(80, 20) // 20 % bad: a burn rate of 20
    h.advance(MINUTE)
  }
  t.match(h.engine.statuses()[0], { state: 'firing', value: 20 })
  const firingSince = h.engine.statuses()[0]!.since
  for (let i = 0; i < 5; i++) {
    slo.record(100, 0)
    h.advance(MINUTE)
  }
  const status = h.engine.statuses()[0]!
  t.equal(status.state, 'ok', 'the 5-minute window is clean')
  t.ok(status.value! > 10, `though the hour still burns at ${status.value}`)
  t.same(h.notices.map((n) => [n.status, n.startsAt, n.endsAt]), [['firing', firingSince, null], ['resolved', firingSince, status.since]])

  t.equal(firingSince, T0 + MINUTE, 'it fired at the first evaluation, a minute after the first bad events')
})

t.test('no event in a window: no alert', async (t) => {
  const slo = new TestBurnSource('idle', 99, 30 * DAY, WORKBOOK_TABLE)
  const h = alertHarness(t, { evaluationInterval: '1m' }, [slo])
  h.advance(10 * MINUTE)
  t.ok(h.engine.statuses().every((s) => s.state === 'ok' && s.value === null))
  t.same(h.notices, [])
})
