import t from 'tap'
import { RetryBackoff } from '../../lib/metrics/retry-backoff.ts'

t.test('1 s after the first failure, then twice as long each time, at most 60 s; a success starts over', async (t) => {
  const backoff = new RetryBackoff()
  t.ok(backoff.ready(0), 'nothing has failed yet')
  const waits: number[] = []
  let now = 1_000_000
  for (let i = 0; i < 9; i++) {
    backoff.failed(now)
    let wait = 0
    while (!backoff.ready(now + wait)) wait += 500
    waits.push(wait)
    now += wait
  }
  t.same(waits, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
  backoff.succeeded()
  t.ok(backoff.ready(now))
  backoff.failed(now)
  t.notOk(backoff.ready(now + 999))
  t.ok(backoff.ready(now + 1000), 'back to 1 s')
})
