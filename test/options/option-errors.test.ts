import t from 'tap'
import { ERROR_CODES } from '../../lib/errors.ts'
import { OptionErrors } from '../../lib/options/option-errors.ts'

const sources = new Map([
  ['statsd.globalTags', { variable: 'VIGIE_STATSD_GLOBAL_TAGS', text: 'a:1' }],
  ['scrub.keys', { variable: 'VIGIE_SCRUB_KEYS', text: 'iban,-' }],
  ['asyncContext', { variable: 'VIGIE_ASYNC_CONTEXT', text: 'false' }],
  ['propagation.targets', { variable: 'VIGIE_PROPAGATION_TARGETS', text: 'x.io' }],
])
const errors = new OptionErrors(sources)

t.test('invalid: a value from code is an invalid option', async (t) => {
  const err = errors.invalid('statsd.port', 'an integer', 'x')
  t.same([err.code, err.option, err.options, err.variables], [ERROR_CODES.INVALID_OPTION, 'statsd.port', ['statsd.port'], []])
  t.equal(err.message, 'vigie: option "statsd.port" must be an integer; received "x" (string)')
})

t.test('invalid: a value the environment set, or a part of it, is the variable\'s', async (t) => {
  const whole = errors.invalid('asyncContext', 'a boolean', false)
  t.same([whole.code, whole.option, whole.variables], [ERROR_CODES.INVALID_ENV, 'asyncContext', ['VIGIE_ASYNC_CONTEXT']])
  t.equal(whole.message, 'vigie: environment variable VIGIE_ASYNC_CONTEXT sets option "asyncContext", which must be a boolean; received "false" (string)',
    'the variable\'s own text')
  const part = errors.invalid('scrub.keys[1]', 'a key', '-')
  t.same([part.code, part.option, part.variables], [ERROR_CODES.INVALID_ENV, 'scrub.keys[1]', ['VIGIE_SCRUB_KEYS']])
  t.match(part.message, /received "-" \(string\)$/, 'the bad part')
  t.same(errors.invalid('statsd.globalTags.a', 'a string', {}).variables, ['VIGIE_STATSD_GLOBAL_TAGS'])
  t.match(errors.invalid('asyncContext', 'a token', 'secret', true).message, /received a string of 5 characters \(not shown\)$/)
})

t.test('conflict: both options, and the variables behind either (sub-options included)', async (t) => {
  const err = errors.conflict(['propagation', 'asyncContext'], 'vigie: they conflict')
  t.same([err.code, err.option, err.options, err.variables],
    [ERROR_CODES.CONFLICTING_OPTIONS, 'propagation', ['propagation', 'asyncContext'], ['VIGIE_ASYNC_CONTEXT', 'VIGIE_PROPAGATION_TARGETS']])
  t.equal(err.message, 'vigie: they conflict (set by environment variables VIGIE_ASYNC_CONTEXT, VIGIE_PROPAGATION_TARGETS)')
  const fromCode = errors.conflict(['statsd.host', 'statsd.client'], 'vigie: they conflict')
  t.same([fromCode.variables, fromCode.message], [[], 'vigie: they conflict'])
})
