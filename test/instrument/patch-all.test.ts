// patchAll() and `--import vigie/register` in child processes, against the built package, the
// way an app uses them: each run proves metrics and IDs flow with no other change to the app.
// Here Fastify, and the environment's refusals; Express has its own file
// (patch-all-express.test.ts): each run starts a Node process, and one file for both frameworks
// came close to tap's 60 s per file on a loaded machine.
import t from 'tap'
import { runBuilt, runBuiltOutput } from '../helpers/run-built.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { COUNTER, FIXTURES, runFixture } from '../helpers/patch-all-fixture.ts'

t.test('Fastify, ESM: patchAll() instruments an app it never saw; a second call changes nothing', async (t) => {
  const { result, lines } = await runFixture(t, [`${FIXTURES}/fastify-esm.mjs`])
  t.same(result, { status: 200, header: 'pa-1', body: { id: 'pa-1' }, idempotent: true, signalListeners: 0 }, 'no signal handler installed')
  t.same(lines.filter((l) => l.includes('|c')), [COUNTER])
})

t.test('Fastify, CommonJS: patchAll() instruments an app it never saw', async (t) => {
  const { result, lines } = await runFixture(t, [`${FIXTURES}/fastify-cjs.cjs`])
  t.same(result, { status: 200, header: 'pa-1', body: { id: 'pa-1' }, idempotent: true })
  t.same(lines.filter((l) => l.includes('|c')), [COUNTER])
})

t.test('Fastify: an explicit registration as well counts once, with its own options', async (t) => {
  const { result, lines } = await runFixture(t, [`${FIXTURES}/fastify-esm.mjs`], { ALSO_REGISTER: '1' })
  t.equal(result.header, 'pa-1')
  t.same(lines.filter((l) => l.includes('|c')), [`manual.${COUNTER}`])
})

t.test('Fastify: node --import vigie/register, options from the environment', async (t) => {
  const { result, lines } = await runFixture(t, ['--import', 'vigie/register', `${FIXTURES}/fastify-plain.mjs`], { VIGIE_STATSD_PREFIX: 'env.' })
  t.same(result, { status: 200, header: 'pa-1', body: { id: 'pa-1' }, signalListeners: 0 }, 'no signal handler installed')
  t.same(lines.filter((l) => l.includes('|c')), [`env.${COUNTER}`])
})

t.test('Fastify: node -r vigie/register works for CommonJS apps', async (t) => {
  const { result, lines } = await runFixture(t, ['-r', 'vigie/register', '-e', `
    const Fastify = require('fastify')
    const app = Fastify()
    app.get('/users/:id', async (request) => ({ id: request.correlationId }))
    app.inject({ url: '/users/7', headers: { 'x-request-id': 'pa-1' } }).then(async (response) => {
      await app.close()
      console.log(JSON.stringify({ header: response.headers['x-request-id'] }))
    })
  `])
  t.same(result, { header: 'pa-1' })
  t.same(lines.filter((l) => l.includes('|c')), [COUNTER])
})

t.test('Fastify: node -r vigie/register, no code: the user from request.user, and a flood summarised by the environment\'s budget', async (t) => {
  const stdout = runBuilt(['-r', 'vigie/register', '-e', `
    const Fastify = require('fastify')
    const app = Fastify()
    app.decorateRequest('user', null)
    app.addHook('preHandler', async (request) => {
      request.user = { id: 7, username: 'ada', email: 'ada@example.com', passwordHash: 'hash-of-ada', token: 'token-of-ada' }
    })
    app.get('/orders/:id', async () => { throw new Error('orders table is locked') })
    app.listen({ port: 0, host: '127.0.0.1' }).then(async (address) => {
      for (let i = 1; i <= 3; i++) await (await fetch(address + '/orders/9', { headers: { 'x-request-id': 'zc-' + i } })).arrayBuffer()
      await app.close()
    })
  `], { STATSD_HOST: '127.0.0.1', STATSD_PORT: '9', VIGIE_PROCESS_METRICS: 'false', VIGIE_EXCEPTION_LINES_PER_INTERVAL: '1' })
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>)
  t.match(lines, [
    { msg: 'exception: Error: orders table is locked', correlationId: 'zc-1', user: { id: 7, username: 'ada', email: 'ada@example.com' } },
    { vigie: 'exception-summary', controller: '/orders/:id', errorType: 'Error', statusCode: 500, suppressed: 2, correlationIds: ['zc-2', 'zc-3'] },
  ])
  t.equal(lines.length, 2, 'one full line, and the summary app.close() wrote')
  t.same(Object.keys(lines[0]!.user), ['id', 'username', 'email'])
  t.notOk(stdout.includes('of-ada'), 'neither the hash nor the token')
})

t.test('patchAll() in a Fastify-only process runs one process-gauge sampler, not one per framework', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  runBuilt(['-e', `
    const { patchAll } = require('vigie')
    const unpatch = patchAll({ processMetrics: { intervalMs: 1000 } })
    const app = require('fastify')()
    app.ready().then(() => setTimeout(async () => { await app.close(); await unpatch() }, 1500))
  `], { STATSD_HOST: '127.0.0.1', STATSD_PORT: String(listener.port) })
  await listener.waitFor((lines) => lines.some((l) => l.startsWith('process.heap_used:')))
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(listener.lines.filter((l) => l.startsWith('process.heap_used:')).length, 1, listener.lines.join('\n'))
})

/** The process warnings in a child's stderr, one per `(node:pid) [CODE] Warning:` line. */
function warnings (stderr: string): string[] {
  return stderr.split('\n').filter((line) => / Warning: /.test(line))
}

t.test('register: a bad variable refuses the configuration: one warning naming it, nothing installed, the app runs', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const runs = [
    // Text that cannot be parsed, and a second bad variable: only the first is reported.
    ['fastify-plain.mjs', { VIGIE_STATSD_SAMPLE_RATE: 'lots', VIGIE_STATSD_PROTOCOL: 'http' },
      '[VIGIE_ERR_INVALID_ENV] Warning: vigie: environment variable VIGIE_STATSD_SAMPLE_RATE sets option "statsd.sampleRate", which must be a number; received "lots" (string). vigie is not installed; the app runs without it.'],
    // A value its option refuses.
    ['express-plain.mjs', { VIGIE_STATSD_PROTOCOL: 'http' },
      '[VIGIE_ERR_INVALID_ENV] Warning: vigie: environment variable VIGIE_STATSD_PROTOCOL sets option "statsd.protocol", which must be one of "udp", "tcp", "uds"; received "http" (string). vigie is not installed; the app runs without it.'],
  ] as const
  for (const [fixture, variables, warning] of runs) {
    const { stdout, stderr } = runBuiltOutput(['--import', 'vigie/register', `${FIXTURES}/${fixture}`], {
      STATSD_HOST: '127.0.0.1', STATSD_PORT: String(listener.port), ...variables,
    })
    t.same(warnings(stderr).map((line) => line.replace(/^\(node:\d+\) /, '')), [warning], `${fixture}: one warning`)
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!)
    t.equal(result.status, 200, `${fixture}: the app answers`)
    t.notOk(result.header, `${fixture}: without vigie (no correlation header)`)
  }
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.same(listener.lines, [], 'no metric was sent')
})

t.test('register: options the environment makes conflict are blamed on the variables that set them', async (t) => {
  const { stdout, stderr } = runBuiltOutput(['--import', 'vigie/register', `${FIXTURES}/fastify-plain.mjs`], {
    STATSD_HOST: '127.0.0.1', STATSD_PORT: '9', VIGIE_ASYNC_CONTEXT: 'false', VIGIE_PROPAGATION_TARGETS: 'example.com',
  })
  t.same(warnings(stderr).length, 1)
  t.match(stderr, /\[VIGIE_ERR_CONFLICTING_OPTIONS\] Warning: vigie: option "propagation" cannot be used with "asyncContext": false; .* \(set by environment variables VIGIE_ASYNC_CONTEXT, VIGIE_PROPAGATION_TARGETS\)\. vigie is not installed; the app runs without it\./)
  t.same(JSON.parse(stdout), { status: 200, body: {}, signalListeners: 0 }, 'the app answers, without vigie')
})
