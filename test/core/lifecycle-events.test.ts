// The events features follow: guarded dispatch, a subscriber switched off after repeated
// failures, closing that never rejects, and nothing to call when nobody follows.
import t from 'tap'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { LifecycleEvents, type CapturedException } from '../../lib/core/lifecycle-events.ts'

function events (): { events: LifecycleEvents, warnings: Array<{ obj: any, msg: string }> } {
  const warnings: Array<{ obj: any, msg: string }> = []
  return { events: new LifecycleEvents(new FailureReporter({ warn: (obj, msg) => warnings.push({ obj, msg }) })), warnings }
}

const exception = { at: 1, controller: '/x', record: {} } as unknown as CapturedException

t.test('nobody follows ended requests: nothing to call', async (t) => {
  const { events: e } = events()
  t.equal(e.requestEnded, null)
  e.subscribe({ name: 'closing only', closing () {} })
  t.equal(e.requestEnded, null, 'a subscriber without requestEnded adds no call')
})

t.test('every subscriber gets every event, in order', async (t) => {
  const { events: e } = events()
  const seen: string[] = []
  e.subscribe({ name: 'a', requestEnded: (c, m, s, d) => seen.push(`a ${c} ${m} ${s} ${d}`), exceptionCaptured: () => seen.push('a exception') })
  e.subscribe({ name: 'b', requestEnded: (c) => seen.push(`b ${c}`) })
  e.requestEnded!('/users/:id', 'GET', 200, 1.5)
  e.exceptionCaptured(exception)
  t.same(seen, ['a /users/:id GET 200 1.5', 'b /users/:id', 'a exception'])
})

t.test('a subscriber that throws is reported; after ten throws it is switched off, the others still run', async (t) => {
  const { events: e, warnings } = events()
  let healthy = 0
  let broken = 0
  e.subscribe({ name: 'broken', requestEnded: () => { broken++; throw new Error('broken subscriber') } })
  e.subscribe({ name: 'healthy', requestEnded: () => { healthy++ } })
  for (let i = 0; i < 15; i++) e.requestEnded!('/x', 'GET', 200, 1)
  t.equal(broken, 10, 'called until it tripped')
  t.equal(healthy, 15)
  t.match(warnings[0], { obj: { vigie: { subsystem: 'broken' }, err: { message: 'broken subscriber' } } })
  t.match(warnings.at(-1)?.msg, /broken failed 10 times and is switched off/)
})

t.test('closing awaits every subscriber and never rejects', async (t) => {
  const { events: e, warnings } = events()
  const closed: string[] = []
  e.subscribe({ name: 'slow', closing: async () => { await new Promise((resolve) => setTimeout(resolve, 20)); closed.push('slow') } })
  e.subscribe({ name: 'failing', closing: () => { throw new Error('cannot close') } })
  e.subscribe({ name: 'fast', closing: () => { closed.push('fast') } })
  await e.closing()
  t.same(closed.sort(), ['fast', 'slow'])
  t.match(warnings, [{ obj: { vigie: { subsystem: 'failing' } } }])
})
