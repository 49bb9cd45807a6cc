import { once } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { ERROR_CODES, observability, type FastifyVigieOptions } from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

async function answersAll (t: Test, statsd: FastifyVigieOptions['statsd']): Promise<void> {
  const consoleErrors = t.capture(console, 'error')
  const consoleWarns = t.capture(console, 'warn')
  const { url, logs } = await startApp(t, {
    vigie: { statsd },
    routes: (app) => app.get('/', async () => {
      app.statsd.increment('business.metric')
      return 'ok'
    }),
  })
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${url}/`)
    t.equal(res.status, 200)
  }
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(consoleErrors(), [], 'nothing printed with console.error')
  t.same(consoleWarns(), [], 'nothing printed with console.warn')
  const warnings = logs.lines.filter((l) => l.level === 40 && l.vigie?.subsystem === 'statsd')
  t.ok(warnings.length <= 1, 'at most one rate-limited warning reaches the app logger')
}

t.test('StatsD at an unresolvable host: every request is answered', async (t) => {
  await answersAll(t, { host: 'statsd.invalid', maxBufferSize: 0 })
})

t.test('StatsD on a closed TCP port: every request is answered', async (t) => {
  await answersAll(t, { host: '127.0.0.1', port: 9, protocol: 'tcp' })
})

t.test('app.close() settles within 2 s whatever StatsD does, printing nothing', async (t) => {
  const stalled = new Set<Socket>()
  const server = createServer((connection) => {
    stalled.add(connection)
    connection.on('error', () => {})
    connection.pause() // accepts, never reads
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const connection of stalled) connection.destroy()
    server.close()
  })
  const stalledPort = (server.address() as AddressInfo).port
  const backends: Array<[string, FastifyVigieOptions['statsd']]> = [
    ['an unresolvable host', { host: 'nonexistent.invalid' }],
    ['a closed TCP port', { host: '127.0.0.1', port: 9, protocol: 'tcp' }],
    ['a TCP server that never reads', { host: '127.0.0.1', port: stalledPort, protocol: 'tcp' }],
    ['a Unix socket path that does not exist', { protocol: 'uds', path: '/nonexistent/vigie-statsd.sock' }],
  ]
  for (const [name, statsd] of backends) {
    const printed = [t.capture(console, 'error'), t.capture(console, 'warn'), t.capture(console, 'log')]
    const app = Fastify()
    await app.register(observability, { processMetrics: false, statsd })
    app.get('/', async () => 'ok')
    const label = 'x'.repeat(200)
    app.get('/big', { config: { vigie: { controller: label } } }, async () => {
      for (let i = 0; i < 500; i++) app.statsd.increment(`business.${label}`)
      return 'ok'
    })
    for (let i = 0; i < 200; i++) t.equal((await app.inject(i % 2 === 0 ? '/' : '/big')).statusCode, 200)
    const started = Date.now()
    await app.close()
    const ms = Date.now() - started
    t.ok(ms <= 2200, `${name}: closed in ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 700)) // past hot-shots' own close deadline
    t.same(printed.flatMap((read) => read()), [], `${name}: nothing printed`)
  }
})

t.test('a getUser that throws leaves the request and the line intact', async (t) => {
  const { url, logs } = await startApp(t, {
    vigie: { getUser: () => { throw new Error('session store down') } },
    routes: (app) => app.get('/', async () => { throw new Error('boom') }),
  })
  t.equal((await fetch(`${url}/`)).status, 500)
  const line = logs.lines.find((l) => String(l.msg).startsWith('exception:'))
  t.equal(line?.user, undefined)
  t.ok(logs.lines.some((l) => l.level === 40 && l.vigie?.subsystem === 'getUser'))
})

t.test('a circular or hostile body never breaks the capture', async (t) => {
  const { url, logs } = await startApp(t, {
    routes: (app) => app.post('/', async (request) => {
      const body = request.body as Record<string, unknown>
      body.self = body
      Object.defineProperty(body, 'trap', { enumerable: true, get () { throw new Error('getter') } })
      throw new Error('boom')
    }),
  })
  const res = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
  t.equal(res.status, 500)
  const line = logs.lines.find((l) => String(l.msg).startsWith('exception:'))
  t.equal(line?.req.body.a, 1)
  t.equal(line?.req.body.self, '[Circular]')
})

t.test('VIGIE_DISABLED=1 turns vigie off, and app.statsd still works', async (t) => {
  process.env.VIGIE_DISABLED = '1'
  t.teardown(() => { delete process.env.VIGIE_DISABLED })
  const { url, statsd, logs } = await startApp(t, {
    routes: (app) => app.get('/', async (request) => {
      app.statsd.increment('still.callable')
      return { id: request.correlationId }
    }),
  })
  const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'abc' } })
  t.same(await res.json(), { id: '' })
  t.equal(res.headers.get('x-request-id'), null)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(statsd.lines, [])
  t.notOk(logs.lines.some((l) => l.correlationId !== undefined))
})

t.test('a user-supplied hot-shots client is used and never closed', async (t) => {
  const { StatsD } = await import('hot-shots')
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const client = new StatsD({ host: '127.0.0.1', port: listener.port, prefix: 'mine.', errorHandler: () => {} })
  const app = Fastify()
  await app.register(observability, { statsd: { client } })
  app.get('/', async () => 'ok')
  await app.inject('/')
  await app.close()
  await listener.waitFor((lines) => lines.some((l) => l.startsWith('mine.http_request:1|c')))
  client.increment('after.close')
  await listener.waitFor((lines) => lines.includes('mine.after.close:1|c'))
  client.close()
})

t.test('bad options are rejected at register with a coded error naming the option', async (t) => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ statsd: { port: 'abc' } }, ERROR_CODES.INVALID_OPTION, /"statsd\.port" must be an integer from 1 to 65535; received "abc" \(string\)/],
    [{ statsd: { protocol: 'http' } }, ERROR_CODES.INVALID_OPTION, /"statsd\.protocol" must be one of "udp", "tcp", "uds"; received "http"/],
    [{ statsd: { sampleRate: 0 } }, ERROR_CODES.INVALID_OPTION, /"statsd\.sampleRate" must be a number greater than 0 and at most 1; received 0/],
    [{ statsd: { tagFormat: 'influx' } }, ERROR_CODES.INVALID_OPTION, /"statsd\.tagFormat"/],
    [{ statsd: { prot: 1 } }, ERROR_CODES.UNKNOWN_OPTION, /unknown option "statsd\.prot"/],
    [{ correlationHeader: 'bad header' }, ERROR_CODES.INVALID_OPTION, /"correlationHeader" must be a valid HTTP header name/],
    [{ getUser: 'me' }, ERROR_CODES.INVALID_OPTION, /"getUser" must be a function or false; received "me" \(string\)/],
    [{ capture: { maxBodyBytes: -1 } }, ERROR_CODES.INVALID_OPTION, /"capture\.maxBodyBytes" must be an integer from 1 to 1048576; received -1/],
    [{ capture: { maxDepth: 65 } }, ERROR_CODES.INVALID_OPTION, /"capture\.maxDepth" must be an integer from 1 to 64; received 65/],
    [{ statsd: { datadog: true, tagFormat: 'telegraf' } }, ERROR_CODES.CONFLICTING_OPTIONS, /"statsd\.datadog" cannot be used with "statsd\.tagFormat": "telegraf"/],
    [{ scrub: { keys: 'password' } }, ERROR_CODES.INVALID_OPTION, /"scrub\.keys" must be an array of non-empty strings; received "password" \(string\)/],
    [{ scrub: { keys: ['-'] } }, ERROR_CODES.INVALID_OPTION, /"scrub\.keys\[0\]" must be a string with a character other than/],
    [{ maxControllers: 0 }, ERROR_CODES.INVALID_OPTION, /"maxControllers"/],
    [{ ignore: ['health'] }, ERROR_CODES.INVALID_OPTION, /"ignore" must be an array of paths starting with "\/" or a function/],
    [{ statsd: { client: {}, } }, ERROR_CODES.INVALID_OPTION, /"statsd\.client" must be a hot-shots StatsD client/],
    [{ captureClientErrors: 'yes' }, ERROR_CODES.INVALID_OPTION, /"captureClientErrors" must be a boolean/],
  ]
  for (const [options, code, message] of cases) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(observability, options as FastifyVigieOptions) }, { code, message }, JSON.stringify(options))
    await app.close()
  }
})

t.test('a bad variable fails fast, naming the variable and its option', async (t) => {
  for (const [variable, raw, option] of [['STATSD_PORT', 'eighty', 'statsd.port'], ['VIGIE_STATSD_SAMPLE_RATE', '2', 'statsd.sampleRate']]) {
    process.env[variable!] = raw
    const app = Fastify()
    await t.rejects(async () => { await app.register(observability) },
      { code: ERROR_CODES.INVALID_ENV, option, variables: [variable], message: new RegExp(`environment variable ${variable} sets option "${option}"`) }, variable)
    await app.close()
    delete process.env[variable!]
  }
})

t.test('VIGIE_* variables apply to the plugin too, under the options given in code', async (t) => {
  process.env.VIGIE_STATSD_PREFIX = 'env.'
  t.teardown(() => { delete process.env.VIGIE_STATSD_PREFIX })
  const { url, statsd } = await startApp(t, { routes: (app) => app.get('/', async () => 'ok') })
  await fetch(`${url}/`)
  const lines = await statsd.waitFor((lines) => lines.some((l) => l.includes('http_request:1|c')))
  t.ok(lines.filter((l) => l.includes('http_request:1|c')).every((l) => l.startsWith('env.http_request:1|c')), lines.join('\n'))
})

t.test('STATSD_HOST and STATSD_PORT are used when no option is given', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  process.env.STATSD_HOST = '127.0.0.1'
  process.env.STATSD_PORT = String(listener.port)
  t.teardown(() => { delete process.env.STATSD_HOST; delete process.env.STATSD_PORT })
  const app = Fastify()
  await app.register(observability)
  app.get('/', async () => 'ok')
  await app.inject('/')
  await app.close()
  await listener.waitFor((lines) => lines.some((l) => l.startsWith('http_request:1|c')))
  t.pass('metrics went to the address from the environment')
})

t.test('StatsD on a closed UDP port: every request is answered', async (t) => {
  await answersAll(t, { host: '127.0.0.1', port: 9, maxBufferSize: 0 })
})

t.test('StatsD over a Unix socket that does not exist: every request is answered', async (t) => {
  await answersAll(t, { protocol: 'uds', path: '/nonexistent/vigie-statsd.sock' })
})

t.test('a getUser that returns a promise is reported once and ignored', async (t) => {
  const { url, logs } = await startApp(t, {
    vigie: { getUser: async () => ({ id: 'u-1' }) },
    routes: (app) => app.get('/', async () => { throw new Error('boom') }),
  })
  await fetch(`${url}/`)
  await fetch(`${url}/`)
  const lines = logs.lines.filter((l) => String(l.msg).startsWith('exception:'))
  t.equal(lines.length, 2)
  t.ok(lines.every((l) => l.user === undefined))
  t.equal(logs.lines.filter((l) => String(l.msg).includes('getUser returned a promise')).length, 1)
})

t.test('a bad per-route label is reported once and the pattern is used', async (t) => {
  const { url, logs, statsd } = await startApp(t, {
    routes: (app) => app.get('/things/:id', { config: { vigie: { controller: 42 as unknown as string } } }, async () => 'ok'),
  })
  await fetch(`${url}/things/1`)
  await fetch(`${url}/things/2`)
  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('http_request:')).length >= 2)
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/things/:id'))
  t.equal(logs.lines.filter((l) => String(l.msg).includes('config.vigie.controller')).length, 1)
})
