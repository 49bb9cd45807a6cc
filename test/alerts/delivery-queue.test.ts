// The delivery queue under a fake clock: retries at their backoff, time limits per attempt,
// one delivery per key at a time and in order, the bound, and close() within its own bound.
import t from 'tap'
import type { Clock } from '@tapjs/clock'
import { AttemptTimeout, DeliveryQueue, PermanentFailure, retryDelay, type Delivery, type DeliveryLimits } from '../../lib/alerts/delivery-queue.ts'
import { fakeClock } from '../helpers/fake-clock.ts'

const LIMITS: DeliveryLimits = {
  maxQueued: 5,
  concurrency: 2,
  attempts: 3,
  attemptTimeoutMs: 1000,
  firstRetryDelayMs: 100,
  maxRetryDelayMs: 1000,
  closeTimeoutMs: 500,
}

/** Lets the promise chains that timers started run to their end. */
async function settle (): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

/** Moves the fake clock on `ms`, 1 ms at a time, settling after each step. */
async function pass (clock: Clock, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    clock.advance(1)
    await settle()
  }
}

interface Recorded {
  readonly attempts: number[]
  readonly failures: Array<{ err: unknown, attempts: number }>
  readonly signals: AbortSignal[]
}

/** A delivery whose attempts follow `outcomes` (the last repeats): 'ok', 'fail', 'permanent', 'hang' or 'throw'. */
function delivery (clock: Clock, key: string, outcomes: string[]): Delivery & Recorded {
  const attempts: number[] = []
  const failures: Array<{ err: unknown, attempts: number }> = []
  const signals: AbortSignal[] = []
  return {
    key,
    attempts,
    failures,
    signals,
    attempt (signal) {
      signals.push(signal)
      const outcome = outcomes[Math.min(attempts.length, outcomes.length - 1)]
      attempts.push(clock.now())
      switch (outcome) {
        case 'ok': return Promise.resolve()
        case 'fail': return Promise.reject(new Error('answered 500'))
        case 'permanent': return Promise.reject(new PermanentFailure('answered 401'))
        case 'throw': throw new Error('thrown at once')
        default: return new Promise<void>(() => {}) // never settles, and ignores its signal
      }
    },
    failed (err, n) {
      failures.push({ err, attempts: n })
    },
  }
}

t.test('retryDelay(): exponential, capped, half of it jittered', async (t) => {
  const limits = { firstRetryDelayMs: 1000, maxRetryDelayMs: 30_000 }
  t.same([1, 2, 3, 4, 5, 6, 7].map((retry) => retryDelay(retry, limits, () => 1)), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
  t.same([1, 2, 3].map((retry) => retryDelay(retry, limits, () => 0)), [500, 1000, 2000], 'never less than half')
  t.equal(retryDelay(2, limits, () => 0.5), 1500)
  const spread = new Set(Array.from({ length: 50 }, () => retryDelay(3, limits)))
  t.ok(spread.size > 10, 'Math.random spreads the retries of many senders')
  for (const delay of spread) t.ok(delay >= 2000 && delay <= 4000, `${delay} within [2000, 4000]`)
})

t.test('a delivery failing twice succeeds at its third attempt, each after its backoff', async (t) => {
  const clock = fakeClock(t)
  const queue = new DeliveryQueue(LIMITS, () => 0.5)
  const start = clock.now()
  const d = delivery(clock, 'a', ['fail', 'fail', 'ok'])
  t.equal(queue.push(d), true)
  await settle()
  await pass(clock, 400)
  t.same(d.attempts.map((at) => at - start), [0, 75, 75 + 150], 'retried after 75 ms (100 ms jittered), then 150 ms (200 ms jittered)')
  t.same(d.failures, [], 'not reported as failed')
  t.equal(queue.size, 0, 'done')
})

t.test('a delivery failing every time is given up after its attempts, reported once', async (t) => {
  const clock = fakeClock(t)
  const queue = new DeliveryQueue(LIMITS, () => 0.5)
  const d = delivery(clock, 'a', ['fail'])
  queue.push(d)
  await pass(clock, 1000)
  t.equal(d.attempts.length, 3)
  t.equal(d.failures.length, 1, 'once')
  t.same([(d.failures[0]!.err as Error).message, d.failures[0]!.attempts], ['answered 500', 3])

  const thrown = delivery(clock, 'b', ['throw'])
  queue.push(thrown)
  await pass(clock, 1000)
  t.same([thrown.attempts.length, thrown.failures.length], [3, 1], 'an attempt that throws at once is a failed attempt')
})

t.test('a permanent failure (a 4xx answer) is not retried', async (t) => {
  const clock = fakeClock(t)
  const queue = new DeliveryQueue(LIMITS, () => 0.5)
  const d = delivery(clock, 'a', ['permanent'])
  queue.push(d)
  await pass(clock, 1000)
  t.same([d.attempts.length, d.failures.length, d.failures[0]!.attempts], [1, 1, 1])
})

t.test('an attempt that never answers is aborted at its time limit, even if it ignores the signal', async (t) => {
  const clock = fakeClock(t)
  const queue = new DeliveryQueue(LIMITS, () => 0.5)
  const start = clock.now()
  const d = delivery(clock, 'a', ['hang'])
  queue.push(d)
  t.equal(d.attempts.length, 0, 'push() only queues: the attempt starts once the caller is done')
  await settle()
  await pass(clock, 999)
  t.same([d.attempts.length, d.signals[0]!.aborted], [1, false], 'still waiting just before the limit')
  await pass(clock, 1)
  t.equal(d.signals[0]!.aborted, true, 'aborted at 1000 ms')
  t.type(d.signals[0]!.reason, AttemptTimeout)
  t.equal(d.signals[0]!.reason.name, 'TimeoutError')
  await pass(clock, 3000)
  t.same(d.attempts.map((at) => at - start), [0, 1075, 1075 + 1000 + 150])
  t.equal(d.failures.length, 1)
  t.equal((d.failures[0]!.err as Error).message, 'no answer within 1000 ms')
})

t.test('deliveries of one key run one at a time and in order; other keys run beside them', async (t) => {
  const clock = fakeClock(t)
  const queue = new DeliveryQueue({ ...LIMITS, concurrency: 4 }, () => 0.5)
  const firing = delivery(clock, 'notifier-1/alert-1', ['fail', 'ok'])
  const resolved = delivery(clock, 'notifier-1/alert-1', ['ok'])
  const other = delivery(clock, 'notifier-2/alert-1', ['ok'])
  queue.push(firing)
  queue.push(resolved)
  queue.push(other)
  await settle()
  t.same([firing.attempts.length, resolved.attempts.length, other.attempts.length], [1, 0, 1], 'the resolve waits for its firing notice')
  await pass(clock, 74)
  t.equal(resolved.attempts.length, 0, 'still waiting while the firing notice is between attempts')
  await pass(clock, 1)
  t.same([firing.attempts.length, resolved.attempts.length], [2, 1], 'the resolve goes once the firing notice is delivered')
  t.ok(resolved.attempts[0]! >= firing.attempts[1]!, 'after it, never before')
})

t.test('at most `concurrency` attempts run; past `maxQueued`, deliveries are refused', async (t) => {
  const clock = fakeClock(t)
  const queue = new DeliveryQueue(LIMITS, () => 0.5)
  const hanging = [1, 2, 3, 4, 5].map((i) => delivery(clock, `k${i}`, ['hang']))
  for (const d of hanging) t.equal(queue.push(d), true)
  await settle()
  t.same(hanging.map((d) => d.attempts.length), [1, 1, 0, 0, 0], 'two at a time')
  t.equal(queue.size, 5)
  t.equal(queue.push(delivery(clock, 'k6', ['ok'])), false, 'the sixth is refused')
  t.equal(queue.size, 5, 'and not counted')
})

t.test('close() waits for what is under way, within its bound, and never rejects', async (t) => {
  const clock = fakeClock(t)
  const quick = new DeliveryQueue(LIMITS, () => 0.5)
  t.equal(await quick.close(), 0, 'nothing queued: settles at once')
  t.equal(quick.push(delivery(clock, 'a', ['ok'])), false, 'closed: nothing more is taken')

  const queue = new DeliveryQueue(LIMITS, () => 0.5)
  const retried = delivery(clock, 'a', ['fail', 'ok'])
  queue.push(retried)
  await settle()
  let closed: number | undefined
  queue.close().then((abandoned) => { closed = abandoned }, () => t.fail('rejected'))
  await pass(clock, 80)
  t.same([retried.attempts.length, closed], [2, 0], 'the retry due within the bound is made, then close() settles')

  const stuck = new DeliveryQueue(LIMITS, () => 0.5)
  const hang = delivery(clock, 'a', ['hang'])
  const waiting = delivery(clock, 'b', ['ok'])
  stuck.push(hang)
  stuck.push(delivery(clock, 'c', ['hang']))
  stuck.push(waiting)
  await settle()
  let given: number | undefined
  stuck.close().then((abandoned) => { given = abandoned })
  await pass(clock, 499)
  t.equal(given, undefined, 'still waiting within the bound')
  await pass(clock, 1)
  t.equal(given, 3, 'given up at the bound: two running, one waiting')
  t.equal(hang.signals[0]!.aborted, true, 'what ran is aborted')
  t.equal(waiting.attempts.length, 0, 'what waited never starts')
  await pass(clock, 3000)
  t.same([hang.failures.length, hang.attempts.length], [0, 1], 'no retry and no failure report after close')
})
