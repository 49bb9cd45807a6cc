// One check with its time limit: what passes, what fails, and that a hanging call is made once.
import t from 'tap'
import { TimedCheck } from '../../lib/health/timed-check.ts'
import { scrubText } from '../../lib/scrub/free-text.ts'

const read = async (check: () => unknown, timeoutMs = 100) => await new TimedCheck('c', check, timeoutMs, scrubText).read()

t.test('passes when it returns anything or resolves', async (t) => {
  for (const value of [undefined, null, 0, false, 'x', { then: 1 }]) {
    const reading = await read(() => value)
    t.equal(reading.status, 'pass', JSON.stringify(value) ?? 'undefined')
    t.notOk('output' in reading)
  }
  t.equal((await read(async () => false)).status, 'pass', 'a promise of false still passes: only a rejection fails')
  t.equal((await read(() => ({ then (resolve: (v: unknown) => void) { resolve(1) } }))).status, 'pass', 'a thenable')
  t.equal(new TimedCheck('db', () => 1, 10, scrubText).key, 'db:responseTime')
})

t.test('fails when it throws, rejects, or its thenable misbehaves; the output is the message', async (t) => {
  t.match(await read(() => { throw new Error('sync password=hunter2') }), { status: 'fail', output: 'sync password=[REDACTED]' }, 'a synchronous throw')
  t.match(await read(async () => { throw new TypeError('async') }), { status: 'fail', output: 'async' })
  t.match(await read(() => ({ then () { throw new Error('bad then') } })), { status: 'fail', output: 'bad then' })
  const trap = new Proxy({}, { get () { throw new Error('no then for you') } })
  t.match(await read(() => trap), { status: 'fail', output: 'no then for you' }, 'reading then throws')
  t.match(await read(() => Promise.reject('plain string')), { status: 'fail', output: 'plain string' }) // eslint-disable-line prefer-promise-reject-errors
})

t.test('times out, then waits for the same call at the next read', async (t) => {
  // The limit's timer is unref'd (it never keeps a process alive): this one keeps the test's.
  const alive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(alive))
  let calls = 0
  let finish!: () => void
  const check = new TimedCheck('slow', () => { calls++; return new Promise<void>((resolve) => { finish = resolve }) }, 30, scrubText)
  const first = await check.read()
  t.match(first, { status: 'fail', output: 'timed out after 30 ms' })
  t.ok(first.observedValue >= 25)
  const second = check.read()
  finish()
  t.match(await second, { status: 'pass' }, 'the earlier call settled within this read\'s limit')
  t.equal(calls, 1)
  await check.read()
  t.equal(calls, 2, 'once settled, the next read calls it again')
})
