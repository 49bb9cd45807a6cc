import { readFileSync } from 'node:fs'
import t from 'tap'
import { ENV_VARIABLES, envVariablesFor, optionsFromEnv } from '../../lib/instrument/env-options.js'

t.test('every variable sets its option', async (t) => {
  const { options, problems } = optionsFromEnv({
    STATSD_HOST: 'stats.internal',
    STATSD_PORT: '9125',
    VIGIE_STATSD_PREFIX: 'shop.',
    VIGIE_STATSD_GLOBAL_TAGS: 'env:prod, team:core',
    VIGIE_STATSD_SAMPLE_RATE: '0.25',
    VIGIE_STATSD_DATADOG: 'off',
    VIGIE_CORRELATION_HEADER: 'x-correlation-id',
    VIGIE_CAPTURE_CLIENT_ERRORS: 'yes',
    VIGIE_CAPTURE_MAX_BODY_BYTES: '4096',
    VIGIE_CAPTURE_MAX_DEPTH: '4',
    VIGIE_SCRUB_KEYS: 'iban, tenant',
    VIGIE_MAX_CONTROLLERS: '50',
    VIGIE_IGNORE: '/health,/ready',
    VIGIE_PROPAGATION_TARGETS: '.example.com,api.partner.io',
  })
  t.same(problems, [])
  t.same(options, {
    statsd: { host: 'stats.internal', port: 9125, prefix: 'shop.', globalTags: { env: 'prod', team: 'core' }, sampleRate: 0.25, datadog: false },
    correlationHeader: 'x-correlation-id',
    captureClientErrors: true,
    capture: { maxBodyBytes: 4096, maxDepth: 4 },
    scrub: { keys: ['iban', 'tenant'] },
    maxControllers: 50,
    ignore: ['/health', '/ready'],
    propagation: { targets: ['.example.com', 'api.partner.io'] },
  })
})

t.test('VIGIE_ASYNC_CONTEXT=false runs requests without async context', async (t) => {
  t.same(optionsFromEnv({ VIGIE_ASYNC_CONTEXT: 'false' }).options, { asyncContext: false })
  t.same(optionsFromEnv({ VIGIE_ASYNC_CONTEXT: 'on' }).options, { asyncContext: true })
})

t.test('VIGIE_PROPAGATION=false wins over targets', async (t) => {
  t.same(optionsFromEnv({ VIGIE_PROPAGATION: 'false', VIGIE_PROPAGATION_TARGETS: '.example.com' }).options, { propagation: false })
  t.same(optionsFromEnv({ VIGIE_PROPAGATION: 'true' }).options, {})
})

t.test('a bad value is left out and reported, naming the variable; the others still apply', async (t) => {
  const { options, problems } = optionsFromEnv({ STATSD_PORT: 'eighty', VIGIE_STATSD_SAMPLE_RATE: '2', VIGIE_STATSD_GLOBAL_TAGS: 'nocolon', VIGIE_STATSD_PREFIX: 'ok.' })
  t.same(options, { statsd: { prefix: 'ok.' } })
  t.same(problems, [
    'vigie: environment variable STATSD_PORT must be an integer; received "eighty". It is ignored.',
    'vigie: environment variable VIGIE_STATSD_GLOBAL_TAGS must be comma-separated key:value pairs; received "nocolon". It is ignored.',
    'vigie: environment variable VIGIE_STATSD_SAMPLE_RATE must be a number greater than 0 and at most 1; received "2". It is ignored.',
  ])
})

t.test('empty variables are unset', async (t) => {
  t.same(optionsFromEnv({ STATSD_HOST: '', VIGIE_IGNORE: '  ' }).options, {})
})

t.test('envVariablesFor names the variables set behind options and their sub-options', async (t) => {
  t.same(envVariablesFor(['statsd.protocol'], { VIGIE_STATSD_PROTOCOL: 'http' }), ['VIGIE_STATSD_PROTOCOL'])
  t.same(envVariablesFor(['statsd.protocol'], {}), [], 'not set: not to blame')
  t.same(envVariablesFor(['getUser'], { VIGIE_IGNORE: '/health' }), [])
  t.same(envVariablesFor(['propagation', 'asyncContext'], { VIGIE_PROPAGATION_TARGETS: 'example.com', VIGIE_ASYNC_CONTEXT: 'false', VIGIE_IGNORE: '/x', VIGIE_PROPAGATION: ' ' }),
    ['VIGIE_ASYNC_CONTEXT', 'VIGIE_PROPAGATION_TARGETS'], 'a sub-option counts; an empty variable is unset')
})

t.test('docs/patch-all.md lists every variable', async (t) => {
  const doc = readFileSync(new URL('../../docs/patch-all.md', import.meta.url), 'utf8')
  for (const [name, option] of ENV_VARIABLES) t.ok(doc.includes(`\`${name}\``) && doc.includes(`\`${option}\``), `${name} → ${option}`)
  t.ok(doc.includes('`VIGIE_DISABLED`'))
})
