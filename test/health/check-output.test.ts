// A failed check's output: the message, no stack, scrubbed, at most 200 characters.
import t from 'tap'
import { MAX_OUTPUT, checkOutput, cut } from '../../lib/health/check-output.ts'
import { scrubText } from '../../lib/scrub/free-text.ts'

t.test('the message of what was thrown', async (t) => {
  t.equal(checkOutput(new Error('db down'), scrubText), 'db down')
  t.equal(checkOutput(new RangeError(''), scrubText), 'failed (RangeError)')
  t.equal(checkOutput('plain', scrubText), 'plain')
  t.equal(checkOutput('', scrubText), 'failed')
  t.equal(checkOutput(42, scrubText), 'failed (rejected with number, not an Error)')
  t.equal(checkOutput(null, scrubText), 'failed (rejected with null, not an Error)')
  t.equal(checkOutput(Object.assign(new Error('x'), { message: 7 }), scrubText), 'failed (Error)', 'a message that is no string')
  const hostile = new Error('x')
  Object.defineProperty(hostile, 'message', { get () { throw new Error('no') } })
  t.equal(checkOutput(hostile, scrubText), 'failed (its error could not be read)')
})

t.test('no stack, even one written into the message; secrets masked; cut', async (t) => {
  const err = new Error('boom')
  t.equal(checkOutput(Object.assign(new Error(`wrapped: ${err.stack!}`)), scrubText), 'wrapped: Error: boom')
  t.equal(checkOutput(new Error('token=abc123secret and Bearer abcdefghijklmnop0123'), scrubText), 'token=[REDACTED] and Bearer [REDACTED]')
  const long = checkOutput(new Error('y'.repeat(5000)), scrubText)
  t.equal(long.length, MAX_OUTPUT)
  t.ok(long.endsWith('…'))
  t.equal(cut(`${'a'.repeat(198)}😀z`, 200), `${'a'.repeat(198)}…`, 'a surrogate pair is never split')
  t.equal(cut('short', 200), 'short')
})
