import t from 'tap'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { fakeClock } from '../helpers/fake-clock.ts'

function recorder (): { logger: { warn: (obj: object, msg: string) => void }, calls: Array<{ obj: any, msg: string }> } {
  const calls: Array<{ obj: any, msg: string }> = []
  return { calls, logger: { warn: (obj, msg) => { calls.push({ obj, msg }) } } }
}

t.test('failures are reported at most once a minute per subsystem, with the count suppressed', async (t) => {
  const clock = fakeClock(t)
  const { logger, calls } = recorder()
  const reporter = new FailureReporter(logger)
  reporter.report('statsd', new Error('ECONNREFUSED'))
  reporter.report('statsd', new Error('ECONNREFUSED'))
  reporter.report('statsd', new Error('ECONNREFUSED'))
  reporter.report('getUser', new TypeError('x'))
  t.equal(calls.length, 2)
  t.same(calls[0]!.obj, { vigie: { subsystem: 'statsd', suppressed: 0 }, err: { type: 'Error', message: 'ECONNREFUSED' } })
  clock.advance(60_001)
  reporter.report('statsd', 'not even an error')
  t.equal(calls.length, 3)
  t.same(calls[2]!.obj, { vigie: { subsystem: 'statsd', suppressed: 2 }, err: { type: 'NonError', message: 'not even an error' } })
})

t.test('a logger that throws does not escape', async (t) => {
  const reporter = new FailureReporter({ warn: () => { throw new Error('logger down') } })
  t.doesNotThrow(() => reporter.report('statsd', new Error('x')))
  t.doesNotThrow(() => reporter.warnOnce('k', 'msg'))
})

t.test('warnOnce warns once per key', async (t) => {
  const { logger, calls } = recorder()
  const reporter = new FailureReporter(logger)
  reporter.warnOnce('a', 'first')
  reporter.warnOnce('a', 'again')
  reporter.warnOnce('b', 'other')
  t.same(calls.map((c) => c.msg), ['first', 'other'])
})

t.test('a callback\'s error is reported scrubbed and bounded: its name, its message', async (t) => {
  const { logger, calls } = recorder()
  const reporter = new FailureReporter(logger)
  const err = new Error(`getUser could not parse password=hunter2 from Bearer abc.def ${'x'.repeat(5000)}`)
  err.name = 'Error for token ghp_' + 'aB3'.repeat(12)
  reporter.report('getUser', err)
  const reported = calls[0]!.obj.err
  t.equal(reported.type, 'Error for token ghp_[REDACTED]')
  t.match(reported.message, /^getUser could not parse password=\[REDACTED\] from Bearer \[REDACTED\] x+…\[truncated \d+ chars\]$/)
  t.ok(reported.message.length < 1100, `cut: ${reported.message.length} characters`)
  t.doesNotThrow(() => reporter.report('ignore', { toString () { throw new Error('hostile') } }), 'a hostile thrown value')
})
