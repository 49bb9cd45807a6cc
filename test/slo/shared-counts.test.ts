// The SLO counts a cluster's workers share: what one took, merged into another, gives the second
// the first's events; a definition that differs, or a malformed item, is left out.
import t from 'tap'
import { fakeClock } from '../helpers/fake-clock.ts'
import { EPOCH, times, trackSlos } from '../helpers/slo.ts'

const checkout = { name: 'checkout', objective: 99, window: '1h' as const, sli: 'availability' as const, controllers: ['/checkout'] }

t.test('one worker\'s events, taken and merged, count in the other\'s status and burn rates', async (t) => {
  const clock = fakeClock(t)
  clock.travel(EPOCH + 30_000)
  const a = trackSlos(t, [checkout])
  const b = trackSlos(t, [checkout])
  times(90, () => a.end('/checkout', 200))
  times(10, () => a.end('/checkout', 503))
  a.end('/elsewhere', 500)
  times(5, () => b.end('/checkout', 200))
  const taken = a.sharing().take()
  t.same(taken.map((item) => ({ ...(item as object), slo: undefined })), [{ slo: undefined, good: 90, total: 100 }], 'counted events only')
  t.same(a.sharing().take(), [], 'each is taken once')
  b.sharing().merge(JSON.parse(JSON.stringify(taken)) as unknown[])
  const [status] = b.statuses()
  t.equal(status!.total, 105)
  t.equal(status!.good, 95)
  t.ok(Math.abs(status!.burnRates['5m']! - (10 / 105) / 0.01) < 1e-9, 'the burn rate reads both')
  t.same(b.sharing().take().map((item) => (item as { total: number }).total), [5], 'what was merged is not passed on again')
})

t.test('another definition, or a malformed item, is ignored', async (t) => {
  const a = trackSlos(t, [{ ...checkout, objective: 99.9 }, { name: 'api', objective: 99, window: '1h', sli: 'availability' }])
  const b = trackSlos(t, [{ ...checkout, controllers: ['/checkout', '/cart'] }])
  times(3, () => a.end('/checkout', 200))
  const taken = a.sharing().take()
  b.sharing().merge([...taken, null, 4, { slo: 'x' }, { ...(taken[0] as object), good: 5, total: 2 }, { ...(taken[0] as object), total: -1 }])
  t.equal(b.statuses()[0]!.total, 0, 'nothing merged: the controllers differ, so the identity does')
  t.same(b.reports.failures, [])
})
