// The budget of full exception lines on its own, on @tapjs/clock's fake clock (the timer's context and
// its unref on a real one).
import t from 'tap'
import { fakeClock } from '../helpers/fake-clock.ts'
import { composeVigie } from '../../lib/compose.ts'
import { correlationId, runInRequestContext } from '../../lib/context/request-context.ts'
import { ExceptionFlood, MAX_KINDS, summaryLine, type FailureKind, type FloodSummary } from '../../lib/core/exception-flood.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

const UNAVAILABLE: FailureKind = { controller: '/products/:id', errorType: 'ServiceUnavailableError', statusCode: 503 }
const BROKEN: FailureKind = { controller: '/cart', errorType: 'TypeError', statusCode: 500 }

function flood (perInterval: number, intervalMs: number): { flood: ExceptionFlood, written: FloodSummary[] } {
  const written: FloodSummary[] = []
  return { flood: new ExceptionFlood({ perInterval, intervalMs }, (summary) => { written.push(summary) }), written }
}

/** Admits `n` failures of `kind`, IDs `<prefix>-1`…; returns how many were admitted. */
function fail (budget: ExceptionFlood, kind: FailureKind, n: number, prefix: string): number {
  let admitted = 0
  for (let i = 1; i <= n; i++) if (budget.admit(kind, `${prefix}-${i}`)) admitted++
  return admitted
}

t.test('the first perInterval failures of each kind are admitted; one summary per refused kind when the interval ends', async (t) => {
  const clock = fakeClock(t)
  const { flood: budget, written } = flood(3, 60_000)
  t.equal(fail(budget, UNAVAILABLE, 20, 'u'), 3)
  t.equal(fail(budget, BROKEN, 2, 'b'), 2, 'another kind has its own budget')
  t.equal(budget.admit({ ...UNAVAILABLE, statusCode: 504 }, 'g-1'), true, 'another status is another kind')
  t.same(written, [], 'nothing is written before the interval ends')
  clock.advance(59_999)
  t.same(written, [])
  clock.advance(1)
  t.same(written, [{ kind: UNAVAILABLE, suppressed: 17, correlationIds: ['u-4', 'u-5', 'u-6', 'u-7', 'u-8'] }],
    'one summary, for the one kind that was refused, with the first five refused IDs')
  t.equal(fail(budget, UNAVAILABLE, 4, 'v'), 3, 'a new interval, a new budget')
  clock.advance(60_000)
  t.same(written.at(-1), { kind: UNAVAILABLE, suppressed: 1, correlationIds: ['v-4'] })
  t.equal(written.length, 2)
})

t.test('an interval starts with the first failure after the last one ended; without refusals, no timer and no summary', async (t) => {
  const clock = fakeClock(t)
  const { flood: budget, written } = flood(2, 1000)
  clock.advance(5000)
  t.equal(fail(budget, BROKEN, 2, 'a'), 2)
  clock.advance(999)
  t.equal(budget.admit(BROKEN, 'a-3'), false, 'still the same interval')
  clock.advance(1)
  t.same(written, [{ kind: BROKEN, suppressed: 1, correlationIds: ['a-3'] }])
  clock.advance(10_000)
  t.equal(fail(budget, BROKEN, 2, 'c'), 2, 'no failure for 10 s: the next one starts an interval')
  clock.advance(1000)
  t.equal(fail(budget, BROKEN, 2, 'd'), 2, 'an interval without refusals ends on time, with no summary')
  clock.advance(5000)
  t.equal(written.length, 1)
})

t.test('past MAX_KINDS kinds in one interval, new kinds share one overflow budget and summary', async (t) => {
  const clock = fakeClock(t)
  const { flood: budget, written } = flood(1, 1000)
  let admitted = 0
  for (let i = 0; i < MAX_KINDS; i++) if (budget.admit({ ...BROKEN, controller: `/r${i}` }, `k-${i}`)) admitted++
  t.equal(admitted, MAX_KINDS)
  t.equal(budget.admit({ ...BROKEN, controller: '/r0' }, 'x-1'), false, 'a kind already tracked keeps its own tally')
  t.equal(budget.admit({ ...BROKEN, controller: '/new-1' }, 'n-1'), true, 'the overflow kind has a budget of its own')
  t.equal(budget.admit({ ...BROKEN, controller: '/new-2' }, 'n-2'), false)
  t.equal(budget.admit({ ...UNAVAILABLE, controller: '/new-3' }, 'n-3'), false)
  clock.advance(1000)
  t.same(written, [
    { kind: { ...BROKEN, controller: '/r0' }, suppressed: 1, correlationIds: ['x-1'] },
    { kind: null, suppressed: 2, correlationIds: ['n-2', 'n-3'] },
  ])
  t.equal(budget.admit({ ...BROKEN, controller: '/new-2' }, 'n-4'), true, 'the next interval tracks kinds afresh')
})

t.test('close() writes the pending summaries at once, stops the timer, then admits every failure', async (t) => {
  const clock = fakeClock(t)
  const { flood: budget, written } = flood(1, 60_000)
  fail(budget, UNAVAILABLE, 3, 'u')
  clock.advance(10)
  budget.close()
  t.same(written, [{ kind: UNAVAILABLE, suppressed: 2, correlationIds: ['u-2', 'u-3'] }])
  t.equal(fail(budget, UNAVAILABLE, 5, 'w'), 5)
  clock.advance(120_000)
  t.equal(written.length, 1, 'nothing more: the timer is gone, and nothing was refused after close()')
  budget.close()
  t.equal(written.length, 1, 'a second close() writes nothing')
})

t.test('the timer runs outside the request that armed it, and does not hold the process open', async (t) => {
  const seen: Array<string | undefined> = []
  const budget = new ExceptionFlood({ perInterval: 1, intervalMs: 30 }, () => { seen.push(correlationId()) })
  const timeouts = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
  const before = timeouts()
  runInRequestContext({ correlationId: 'req-1', outgoing: null }, () => {
    budget.admit(BROKEN, 'req-1')
    budget.admit(BROKEN, 'req-1')
  })
  t.equal(timeouts(), before, 'the timer is unref\'d')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(seen, [undefined], 'the summary was written with no request in context')
})

t.test('summaryLine: fields and message, one kind and the overflow', async (t) => {
  t.same(summaryLine({ kind: UNAVAILABLE, suppressed: 312, correlationIds: ['a', 'b'] }, 60_000), {
    fields: { vigie: 'exception-summary', controller: '/products/:id', errorType: 'ServiceUnavailableError', statusCode: 503, suppressed: 312, intervalMs: 60_000, correlationIds: ['a', 'b'] },
    msg: '312 more exceptions like \'ServiceUnavailableError\' on /products/:id (503) in the last 60 s',
  })
  t.equal(summaryLine({ kind: { controller: '/down', errorType: 'http_503', statusCode: 503 }, suppressed: 1, correlationIds: ['a'] }, 1500).msg,
    '1 more exception like \'http_503\' on /down (503) in the last 1.5 s')
  t.same(summaryLine({ kind: null, suppressed: 7, correlationIds: ['c'] }, 60_000), {
    fields: { vigie: 'exception-summary', overflow: true, suppressed: 7, intervalMs: 60_000, correlationIds: ['c'] },
    msg: `7 more exceptions of other kinds (past ${MAX_KINDS} kinds) in the last 60 s`,
  })
})

t.test('a logger that throws on the summary: close() still resolves, and the failure is reported', async (t) => {
  const warnings: Array<Record<string, any>> = []
  const logger = {
    info: () => {},
    warn: (obj: object) => { warnings.push(obj) },
    error: (obj: object) => { if ((obj as { vigie?: unknown }).vigie === 'exception-summary') throw new Error('disk full') },
  }
  const vigie = composeVigie(resolveOptions({ exceptionLines: { perInterval: 1 }, processMetrics: false, aggregation: false, propagation: false }, {}), logger)
  const facts = { protocol: 'http', host: 'localhost', url: '/down', route: '/down', headers: {}, query: undefined, params: undefined, body: undefined, remoteAddress: undefined, error: undefined, method: 'GET', statusCode: 503, responseTime: 1 }
  vigie.capture.capture('/down', {}, { ...facts, correlationId: 'a' })
  vigie.capture.capture('/down', {}, { ...facts, correlationId: 'b' })
  await vigie.close()
  t.match(warnings, [{ vigie: { subsystem: 'exception summary' }, err: { message: 'disk full' } }])
})
