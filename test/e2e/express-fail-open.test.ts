import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import t from 'tap'
import { ERROR_CODES } from '../../lib/index.ts'
import { expressObservability, type ExpressVigieOptions } from '../../lib/express.ts'
import { EXPRESS_VERSIONS, counters, exceptionLines, listen, startExpressApp, type ExpressModule } from '../helpers/express-app.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

async function answersAll (t: Test, express: ExpressModule, statsd: ExpressVigieOptions['statsd']): Promise<void> {
  const consoleErrors = t.capture(console, 'error')
  const consoleWarns = t.capture(console, 'warn')
  const { url, logs } = await startExpressApp(t, express, {
    vigie: { statsd },
    routes: (app, vigie) => app.get('/', (_req, res) => {
      vigie.statsd.increment('business.metric')
      res.send('ok')
    }),
  })
  for (let i = 0; i < 20; i++) t.equal((await fetch(`${url}/`)).status, 200)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.same(consoleErrors(), [], 'nothing printed with console.error')
  t.same(consoleWarns(), [], 'nothing printed with console.warn')
  t.ok(logs.lines.filter((l) => l.level === 40 && l.vigie?.subsystem === 'statsd').length <= 1, 'at most one rate-limited warning')
}

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('StatsD at an unresolvable host: every request is answered', async (t) => {
      await answersAll(t, express, { host: 'statsd.invalid', maxBufferSize: 0 })
    })

    t.test('StatsD on a closed TCP port: every request is answered', async (t) => {
      await answersAll(t, express, { host: '127.0.0.1', port: 9, protocol: 'tcp' })
    })

    t.test('a getUser that throws leaves the request and the line intact', async (t) => {
      const { url, logs } = await startExpressApp(t, express, {
        vigie: { getUser: () => { throw new Error('session store down') } },
        routes: (app) => app.get('/', () => { throw new Error('boom') }),
      })
      t.equal((await fetch(`${url}/`)).status, 500)
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.equal(exceptionLines(logs)[0]?.user, undefined)
      t.ok(logs.lines.some((l) => l.level === 40 && l.vigie?.subsystem === 'getUser'))
    })

    t.test('app settings that throw when vigie reads the request leave the line without that field', async (t) => {
      const { url, logs, app } = await startExpressApp(t, express, {
        routes: (app) => app.get('/', () => { throw new Error('boom') }),
      })
      app.set('trust proxy', () => { throw new Error('trust function broke') })
      if (name === 'express 5') app.set('query parser', () => { throw new Error('query parser broke') })
      t.equal((await fetch(`${url}/?q=1`, { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 500)
      await new Promise((resolve) => setTimeout(resolve, 20))
      const line = exceptionLines(logs)[0]
      t.equal(line?.err.message, 'boom')
      t.equal(line?.req.remoteAddress, undefined)
      if (name === 'express 5') t.equal(line?.req.query, undefined)
    })

    t.test('VIGIE_DISABLED=1 turns vigie off, and vigie.statsd still works', async (t) => {
      process.env.VIGIE_DISABLED = '1'
      t.teardown(() => { delete process.env.VIGIE_DISABLED })
      const { url, statsd, logs } = await startExpressApp(t, express, {
        routes: (app, vigie) => app.get('/', (req, res) => {
          vigie.statsd.increment('still.callable')
          res.json({ id: req.correlationId })
        }),
      })
      const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'abc' } })
      t.same(await res.json(), { id: '' })
      t.equal(res.headers.get('x-request-id'), null)
      await new Promise((resolve) => setTimeout(resolve, 100))
      t.same(statsd.lines, [])
      t.same(logs.lines, [])
    })

    t.test('a user-supplied hot-shots client is used and never closed', async (t) => {
      const { StatsD } = await import('hot-shots')
      const listener = await startStatsdListener()
      t.teardown(() => listener.close())
      const client = new StatsD({ host: '127.0.0.1', port: listener.port, prefix: 'mine.', errorHandler: () => {} })
      const vigie = expressObservability({ statsd: { client } })
      const app = express()
      app.use(vigie)
      app.get('/', (_req, res) => { res.send('ok') })
      const server = await listen(app)
      await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`)
      server.close()
      await vigie.close()
      await listener.waitFor((lines) => lines.some((l) => l.startsWith('mine.http_request:1|c')))
      client.increment('after.close')
      await listener.waitFor((lines) => lines.includes('mine.after.close:1|c'))
      client.close()
    })

    t.test('mounted twice: the request is counted once, and that is said once', async (t) => {
      const { url, statsd, logs } = await startExpressApp(t, express, {
        routes: (app, vigie) => {
          app.use(vigie)
          app.get('/', (_req, res) => { res.send('ok') })
        },
      })
      await fetch(`${url}/`)
      await fetch(`${url}/`)
      await statsd.waitFor(() => counters(statsd).length >= 2)
      await new Promise((resolve) => setTimeout(resolve, 50))
      t.equal(counters(statsd).length, 2)
      t.equal(logs.lines.filter((l) => String(l.msg).includes('ran twice')).length, 1)
    })

    t.test('headers sent before vigie\'s middleware ran: the request is answered and counted, without the header', async (t) => {
      const { url, statsd, logs } = await startExpressApp(t, express, {
        beforeVigie: (app) => app.use((_req: unknown, res: { flushHeaders: () => void }, next: () => void) => { res.flushHeaders(); next() }),
        routes: (app) => app.get('/', (_req, res) => { res.end('ok') }),
      })
      const res = await fetch(`${url}/`)
      t.equal(res.status, 200)
      t.equal(await res.text(), 'ok')
      t.equal(res.headers.get('x-request-id'), null, 'nothing can be added to headers already sent')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.match(counters(statsd)[0], /^http_request:1\|c\|#http_status:200,/)
      t.same(logs.lines.filter((l) => l.level >= 40), [], 'nothing to warn about')
    })

    t.test('routers mounted through vigie\'s `use` can still be listed through layer.name and layer.handle.stack', async (t) => {
      const { app } = await startExpressApp(t, express, {
        routes: (app) => {
          const users = express.Router()
          users.get('/:id', (_req, res) => { res.send('u') })
          app.use('/users', users)
        },
      })
      const appRouter = (app as unknown as { _router?: { stack: unknown[] }, router: { stack: unknown[] } })._router ?? (app as unknown as { router: { stack: unknown[] } }).router
      const mounted = appRouter.stack.find((layer) => (layer as { name: string }).name === 'router') as { handle: { stack: Array<{ route?: { path: string } }> } } | undefined
      t.ok(mounted, 'the mounted router keeps its name')
      t.same(mounted?.handle.stack.map((layer) => layer.route?.path), ['/:id'])
    })

    t.test('the environment applies under the options given in code; a bad variable is refused', async (t) => {
      process.env.VIGIE_STATSD_PREFIX = 'env.'
      t.teardown(() => { delete process.env.VIGIE_STATSD_PREFIX })
      const { url, statsd } = await startExpressApp(t, express, { routes: (app) => app.get('/', (_req, res) => { res.send('ok') }) })
      await fetch(`${url}/`)
      const lines = await statsd.waitFor((lines) => lines.some((l) => l.includes('http_request:1|c')))
      t.ok(lines.filter((l) => l.includes('http_request:1|c')).every((l) => l.startsWith('env.http_request:1|c')), lines.join('\n'))
      process.env.VIGIE_CAPTURE_MAX_DEPTH = '100'
      t.teardown(() => { delete process.env.VIGIE_CAPTURE_MAX_DEPTH })
      t.throws(() => expressObservability(), { code: ERROR_CODES.INVALID_ENV, option: 'capture.maxDepth', variables: ['VIGIE_CAPTURE_MAX_DEPTH'] })
      const overridden = expressObservability({ capture: { maxDepth: 3 }, processMetrics: false })
      t.equal(typeof overridden, 'function', 'unless the code sets the option')
      await overridden.close()
    })

    t.test('bad options are rejected with a coded error naming the option', async (t) => {
      const cases: Array<[unknown, string, RegExp]> = [
        [{ statsd: { port: 'abc' } }, ERROR_CODES.INVALID_OPTION, /"statsd\.port" must be an integer from 1 to 65535; received "abc" \(string\)/],
        [{ statsd: { prot: 1 } }, ERROR_CODES.UNKNOWN_OPTION, /unknown option "statsd\.prot"/],
        [{ correlationHeader: 'bad header' }, ERROR_CODES.INVALID_OPTION, /"correlationHeader" must be a valid HTTP header name/],
        [{ getUser: 'me' }, ERROR_CODES.INVALID_OPTION, /"getUser" must be a function/],
        [{ maxControllers: 0 }, ERROR_CODES.INVALID_OPTION, /"maxControllers"/],
        [{ ignore: ['health'] }, ERROR_CODES.INVALID_OPTION, /"ignore" must be an array of paths starting with "\/" or a function/],
        [{ loger: {} }, ERROR_CODES.UNKNOWN_OPTION, /unknown option "loger"/],
        [{ logger: console }, ERROR_CODES.INVALID_OPTION, /"logger" must be a pino logger \(an object with info, warn, error and child functions\); received an object/],
        [{ logger: 'pino' }, ERROR_CODES.INVALID_OPTION, /"logger" must be a pino logger/],
        ['verbose', ERROR_CODES.INVALID_OPTION, /"options" must be an object; received "verbose"/],
      ]
      for (const [options, code, message] of cases) {
        t.throws(() => expressObservability(options as ExpressVigieOptions), { code, message }, JSON.stringify(options))
      }
    })
  })
}

t.test('Express loaded after vigie: full patterns, and unhandled errors answered without a stack', async (t) => {
  // A fresh process, so that vigie really is created before any copy of Express is loaded.
  const adapter = new URL('../../lib/express.ts', import.meta.url).href
  const child = spawnSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', `
    import { expressObservability, expressErrorHandler } from ${JSON.stringify(adapter)}
    const vigie = expressObservability({ statsd: { port: 9 } })
    const { default: express } = await import('express')
    const app = express()
    app.use(vigie)
    const users = express.Router()
    users.get('/:id', (req, res) => res.send('ok'))
    users.get('/:id/fail', () => { throw new Error('boom') })
    app.use('/users', users)
    app.use(expressErrorHandler())
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const base = 'http://127.0.0.1:' + server.address().port
    await fetch(base + '/users/1')
    const failed = await fetch(base + '/users/2/fail')
    console.log(JSON.stringify({ status: failed.status, body: await failed.text() }))
    server.close()
    await vigie.close()
  `], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'development' } })
  t.equal(child.stderr, '', 'nothing on stderr: no raw stack from finalhandler')
  const lines = child.stdout.trim().split('\n').map((line) => JSON.parse(line))
  t.same(lines.filter((l) => l.level === 40 && /express|route|unrecorded/i.test(String(l.msg))), [], 'no warning about the app (port 9 may refuse the metrics)')
  const exception = lines.find((l) => String(l.msg).startsWith('exception:'))
  t.equal(exception?.req.route, '/users/:id/fail')
  t.equal(exception?.err?.message, 'boom')
  t.same(lines.find((l) => 'status' in l), { status: 500, body: 'Internal Server Error' }, 'no stack sent')
})

t.test('a working directory removed under the process does not stop the middleware from being created', async (t) => {
  const previous = process.cwd()
  const gone = mkdtempSync(join(tmpdir(), 'vigie-cwd-'))
  process.chdir(gone)
  rmSync(gone, { recursive: true })
  t.teardown(() => process.chdir(previous))
  t.throws(() => process.cwd(), { code: 'ENOENT' }, 'the directory is really gone')
  const middleware = expressObservability({ statsd: { port: 9 }, processMetrics: false })
  t.type(middleware, 'function')
  await middleware.close()
})
