// The numbers of app.vigie.slos() and of the burn sources, on fake time: the budget, the burn
// rates (checked against the SRE Workbook's table), the window rolling, coverage, each SLI,
// the controllers filter and aborted requests.
import t from 'tap'
import { fakeClock } from '../helpers/fake-clock.ts'
import { DAY, EPOCH, HOUR, MINUTE, times, trackSlos } from '../helpers/slo.ts'

const close = (a: number | null, b: number, epsilon = 1e-9): boolean => a !== null && Math.abs(a - b) < epsilon

t.test('before any event: nothing is known, nothing is spent', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'api', objective: 99.9, window: '30d', sli: 'availability' }])
  const [status] = slos.statuses()
  t.same(status, {
    name: 'api',
    objective: 99.9,
    window: '30d',
    good: 0,
    total: 0,
    sli: null,
    errorBudget: { remaining: 1 },
    burnRates: { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null },
    coverage: 1 / 43_200,
  })
})

t.test('the budget: 1 − bad ÷ (total × (1 − objective)), negative once overspent', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'api', objective: 99, window: '30d', sli: 'availability' }])
  times(990, () => slos.end('/a', 200))
  times(5, () => slos.end('/a', 503))
  let [status] = slos.statuses()
  t.equal(status!.total, 995)
  t.equal(status!.good, 990)
  t.ok(close(status!.sli, 990 / 995))
  t.ok(close(status!.errorBudget.remaining, 1 - 5 / (995 * 0.01)), `about half the budget is left (${status!.errorBudget.remaining})`)
  times(20, () => slos.end('/a', 500))
  ;[status] = slos.statuses()
  t.ok(status!.errorBudget.remaining! < 0, 'overspent: negative')
  t.ok(close(status!.errorBudget.remaining, 1 - 25 / (1015 * 0.01)))
  t.ok(close(status!.burnRates['5m'], (25 / 1015) / 0.01), 'the 5m burn rate: the bad ratio ÷ the allowed one')
})

t.test('the Workbook: 2% of a 30-day budget spent in one hour is a 1h burn rate of 14.4', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'api', objective: 99.9, window: '30d', sli: 'availability' }])
  // 30 days of steady traffic, 10 000 requests an hour, all good but in the last hour.
  for (let hour = 0; hour < 30 * 24 - 1; hour++) {
    times(10_000, () => slos.end('/a', 200))
    clock.advance(HOUR)
  }
  times(10_000 - 144, () => slos.end('/a', 200))
  times(144, () => slos.end('/a', 500))
  clock.advance(HOUR - MINUTE)
  const [status] = slos.statuses()
  t.equal(status!.total, 7_200_000, 'the whole window: 720 hours of 10 000')
  // The budget of 30 days: 0.1% of 7.2 M = 7 200 bad requests; 144 of them is 2%.
  t.ok(close(status!.errorBudget.remaining, 0.98), `98% of the budget left (${status!.errorBudget.remaining})`)
  t.ok(close(status!.burnRates['1h'], 14.4), `1h burn rate 14.4 (${status!.burnRates['1h']})`)
  t.ok(status!.burnRates['2h']! > 7 && status!.burnRates['2h']! < 7.3, 'over 2h, half of it')
  t.ok(close(status!.burnRates['3d'], 14.4 / 72), 'over 3d, 1/72 of it')
  t.equal(status!.coverage, 1, 'the whole window was seen')
  // The same numbers, through the burn source the alert engine reads.
  const [source] = slos.burnSources
  t.ok(close(source!.badRatio(HOUR), 0.0144), 'the bad ratio over the hour')
  t.equal(source!.total(HOUR), 10_000)
  t.same(source!.burnRateAlerts, [
    { severity: 'page', factor: 14.4, longMs: HOUR, shortMs: 5 * MINUTE },
    { severity: 'page', factor: 6, longMs: 6 * HOUR, shortMs: 30 * MINUTE },
    { severity: 'ticket', factor: 3, longMs: DAY, shortMs: 2 * HOUR },
    { severity: 'ticket', factor: 1, longMs: 3 * DAY, shortMs: 6 * HOUR },
  ], 'the Workbook\'s table, as it is for 30 days')
})

t.test('the window rolls: minutes older than it fall out, to the minute', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'short', objective: 99, window: '1h', sli: 'availability' }])
  times(3, () => slos.end('/a', 500))
  clock.advance(30 * MINUTE)
  times(7, () => slos.end('/a', 200))
  t.match(slos.statuses()[0], { good: 7, total: 10 })
  t.equal(slos.statuses()[0]!.burnRates['5m'], 0, 'the last 5 minutes hold the 7 good ones only')
  t.ok(close(slos.statuses()[0]!.burnRates['1h'], 0.3 / 0.01))
  clock.advance(29 * MINUTE)
  t.match(slos.statuses()[0], { good: 7, total: 10 }, 'the 60th minute still holds the first three')
  clock.advance(MINUTE)
  t.match(slos.statuses()[0], { good: 7, total: 7, sli: 1 }, 'an hour later, they are out')
  t.equal(slos.statuses()[0]!.burnRates['5m'], null, 'nothing in the last 5 minutes')
  t.equal(slos.statuses()[0]!.burnRates['2h'], null, 'a window longer than the SLO\'s own is not kept')
  clock.advance(DAY)
  t.match(slos.statuses()[0], { good: 0, total: 0, sli: null, errorBudget: { remaining: 1 } }, 'idle for longer than the window: empty')
})

t.test('the running sums equal a scan of the minutes, whatever the traffic', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'api', objective: 99.5, window: '1d', sli: 'availability' }])
  const events: Array<{ at: number, good: boolean }> = []
  let seed = 7
  const random = (): number => { seed = (seed * 48_271) % 2_147_483_647; return seed / 2_147_483_647 }
  for (let step = 0; step < 3000; step++) {
    clock.advance(Math.floor(random() * 3 * MINUTE))
    const good = random() > 0.1
    slos.end('/a', good ? 200 : 500)
    events.push({ at: Date.now(), good })
    if (step % 250 === 0) {
      const status = slos.statuses()[0]!
      const minute = Math.floor(Date.now() / MINUTE)
      for (const [name, span] of [['5m', 5], ['30m', 30], ['1h', 60], ['2h', 120], ['6h', 360], ['1d', 1440]] as const) {
        const inside = events.filter((e) => Math.floor(e.at / MINUTE) > minute - span)
        const bad = inside.filter((e) => !e.good).length
        const expected = inside.length === 0 ? null : bad / inside.length / 0.005
        t.ok(expected === null ? status.burnRates[name] === null : close(status.burnRates[name], expected, 1e-6), `step ${step}: ${name}`)
      }
    }
  }
  t.equal(slos.burnSources[0]!.total(17 * MINUTE), events.filter((e) => Math.floor(e.at / MINUTE) > Math.floor(Date.now() / MINUTE) - 17).length, 'a span not kept is scanned')
})

t.test('coverage: the share of the window the process saw', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'api', objective: 99, window: '30d', sli: 'availability' }, { name: 'hour', objective: 99, window: '1h', sli: 'availability' }])
  clock.advance(15 * DAY)
  const [month, hour] = slos.statuses()
  t.ok(Math.abs(month!.coverage - 0.5) <= 2 / 43_200, `half of 30 days, to the minute (${month!.coverage})`)
  t.equal(hour!.coverage, 1, 'a whole hour')
})

t.test('latency: good when answered within the threshold, whatever the status', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'fast', objective: 95, window: '7d', sli: { latency: { thresholdMs: 300 } } }])
  slos.end('/a', 200, 12)
  slos.end('/a', 200, 300)
  slos.end('/a', 200, 300.5)
  slos.end('/a', 500, 40)
  slos.end('/a', 499, 5000)
  t.match(slos.statuses()[0], { good: 3, total: 4 }, '≤ 300 ms is good; the abort is not counted')
})

t.test('availability: 5xx are bad, 4xx good, 499 aborts left out entirely', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [{ name: 'api', objective: 99.9, window: '30d', sli: 'availability' }])
  for (const status of [200, 201, 302, 404, 429, 499, 499, 500, 502, 504]) slos.end('/a', status)
  t.match(slos.statuses()[0], { good: 5, total: 8 })
})

t.test('controllers: only the routes listed count', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [
    { name: 'checkout', objective: 99, window: '30d', sli: 'availability', controllers: ['/checkout', '/cart/:id'] },
    { name: 'all', objective: 99, window: '30d', sli: 'availability' },
  ])
  slos.end('/checkout', 500)
  slos.end('/cart/:id', 200)
  slos.end('/users/:id', 500)
  slos.end('not_found', 404)
  const [checkout, all] = slos.statuses()
  t.match(checkout, { good: 1, total: 2 })
  t.match(all, { good: 2, total: 4 })
})

t.test('a scaled window: the Workbook\'s windows × window ÷ 30 days, factors kept; burnRateAlerts replaces or removes them', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH)
  const slos = trackSlos(t, [
    { name: 'week', objective: 99, window: '7d', sli: 'availability' },
    { name: 'own', objective: 99, window: '7d', sli: 'availability', burnRateAlerts: [{ severity: 'ticket', factor: 2, longWindow: '1d', shortWindow: '1h' }] },
    { name: 'none', objective: 99, window: '7d', sli: 'availability', burnRateAlerts: false },
  ])
  t.same(slos.burnSources.map((s) => s.name), ['week', 'own'], 'no burn source for burnRateAlerts: false')
  t.same(slos.burnSources[0]!.burnRateAlerts.map((l) => [l.factor, l.longMs / MINUTE, l.shortMs / MINUTE]), [
    [14.4, 14, 1], [6, 84, 7], [3, 336, 28], [1, 1008, 84],
  ], '1h → 14 min, 5m → 1 min (rounded, at least one), 3d → 1008 min')
  t.same(slos.burnSources[1]!.burnRateAlerts, [{ severity: 'ticket', factor: 2, longMs: DAY, shortMs: HOUR }])
  slos.end('/a', 500)
  t.equal(slos.burnSources[0]!.badRatio(14 * MINUTE), 1)
  t.equal(slos.burnSources[0]!.badRatio(MINUTE), 1)
  clock.advance(MINUTE)
  t.equal(slos.burnSources[0]!.badRatio(MINUTE), null, 'the burn source reads the clock too')
  t.equal(slos.burnSources[0]!.total(14 * MINUTE), 1)
})

t.test('a clock that goes back counts in the newest minute', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH + HOUR)
  const slos = trackSlos(t, [{ name: 'api', objective: 99, window: '1h', sli: 'availability' }])
  slos.end('/a', 200)
  clock.travel(EPOCH)
  slos.end('/a', 500)
  t.match(slos.statuses()[0], { good: 1, total: 2 })
  t.ok(close(slos.statuses()[0]!.burnRates['5m'], 50))
})
