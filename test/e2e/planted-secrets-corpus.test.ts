import type { Request, Response } from 'express'
import type { FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import { EXPRESS_VERSIONS, startExpressApp, type ExpressModule } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import type { LogSink } from '../helpers/log-sink.ts'
import { buildCorpus, corpusError, corpusUser, type Corpus, type Planted } from '../helpers/secret-corpus.ts'
import type { StatsdListener } from '../helpers/statsd-listener.ts'

// Issue 15, "Secrets in every shape": every shape of secret in the corpus, planted in every
// place of a request (body, query, path, headers, cookies), of the errors the routes throw and of
// getUser's answers, on real Fastify and Express servers. None may reach any sink vigie writes to:
// the app's log lines (exception lines, Fastify's request lines, vigie's warnings), the StatsD
// datagrams, snapshot() and the dashboard's data.json. Benign values that look like secrets
// (timestamps, an IMEI, keys that name a secret without holding one) must come through unchanged.
// Every exception line is written in full (`exceptionLines: false`): the corpus sends hundreds of
// failures of one kind, and a summarised one would carry no secret to find.

const corpus = buildCorpus()

interface CorpusApp {
  readonly url: string
  readonly logs: LogSink
  readonly statsd: StatsdListener
  readonly snapshot: () => unknown
}

function throwCase (params: unknown): Error {
  return corpusError(corpus.throwCases[Number((params as { case: string }).case)]!)
}

async function startFastify (t: Test): Promise<CorpusApp> {
  const { app, url, logs, statsd } = await startApp(t, {
    // Long secrets in a route param (a PEM block, percent-encoded) must still reach the route.
    fastify: { maxParamLength: 4096 },
    vigie: { dashboard: true, exceptionLines: false, getUser: (request) => corpusUser(corpus, request.headers['x-corpus-user']) },
    routes: (app) => {
      async function answer (request: FastifyRequest): Promise<object> {
        if (request.headers['x-answer'] === 'ok') return { ok: true }
        throw new Error('order failed')
      }
      app.post('/orders/:id', answer)
      app.get('/orders/:id', answer)
      app.get('/reset/:token', answer)
      app.get('/files/:name', answer)
      app.get('/throw/:case', async (request) => { throw throwCase(request.params) })
    },
  })
  return { url, logs, statsd, snapshot: () => app.vigie.snapshot() }
}

async function startExpress (t: Test, express: ExpressModule): Promise<CorpusApp> {
  const { vigie, url, logs, statsd } = await startExpressApp(t, express, {
    // Express prints the stacks of errors on stderr outside `test`: the app's own output, not vigie's.
    env: 'test',
    vigie: { dashboard: true, exceptionLines: false, getUser: (req) => corpusUser(corpus, req.headers['x-corpus-user']) },
    routes: (app) => {
      app.use(express.json())
      function answer (req: Request, res: Response): void {
        if (req.headers['x-answer'] === 'ok') {
          res.json({ ok: true })
          return
        }
        throw new Error('order failed')
      }
      app.post('/orders/:id', answer)
      app.get('/orders/:id', answer)
      app.get('/reset/:token', answer)
      app.get('/files/:name', answer)
      app.get('/throw/:case', (req) => { throw throwCase(req.params) })
    },
  })
  return { url, logs, statsd, snapshot: () => vigie.vigie.snapshot() }
}

async function dashboardData (app: CorpusApp): Promise<unknown> {
  const response = await fetch(`${app.url}/_vigie/data.json`)
  if (response.status !== 200) throw new Error(`data.json answered ${response.status}`)
  return await response.json()
}

/** Every key and every string or number in `value`, one per line. */
function flatten (value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value))
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key)
      flatten(item, out)
    }
  }
  return out
}

function logSinkName (line: Record<string, any>): string {
  const msg = String(line.msg)
  if (msg.startsWith('exception:')) return 'exception line'
  if (msg === 'incoming request' || msg === 'request completed') return 'Fastify request line'
  if (msg.startsWith('vigie:')) return 'vigie warning'
  return `other log line (${msg.slice(0, 40)})`
}

/** Each sink's whole text, by name. */
function sinkTexts (apps: readonly CorpusApp[], dashboards: readonly unknown[]): Map<string, string> {
  const parts = new Map<string, string[]>()
  const add = (name: string, texts: string[]): void => {
    parts.set(name, [...(parts.get(name) ?? []), ...texts])
  }
  for (const app of apps) {
    for (const line of app.logs.lines) add(logSinkName(line), flatten(line))
    add('StatsD datagrams', app.statsd.datagrams)
    add('snapshot()', flatten(app.snapshot()))
  }
  for (const data of dashboards) add('dashboard data.json', flatten(data))
  return new Map([...parts].map(([name, texts]) => [name, texts.join('\n')]))
}

/** How a secret part may be written: as it is, percent-encoded, `+` for spaces, with StatsD's banned characters replaced. */
function writtenForms (needle: string): string[] {
  const encoded = encodeURIComponent(needle)
  return [...new Set([needle, encoded, encodeURI(needle), needle.replaceAll(' ', '+'), encoded.replaceAll('%20', '+'), needle.replace(/[|,#@\r\n]/g, '_')])]
}

/** The sinks that hold a secret part of `planted`. */
function sinksHolding (planted: Planted, sinks: ReadonlyMap<string, string>, all: string): string[] {
  const forms = planted.secret.needles.flatMap(writtenForms)
  if (!forms.some((form) => all.includes(form))) return []
  return [...sinks].filter(([, text]) => forms.some((form) => text.includes(form))).map(([name]) => name)
}

interface Run {
  readonly apps: readonly CorpusApp[]
  readonly sinks: ReadonlyMap<string, string>
  /** Requests not answered as planned. */
  readonly unexpected: readonly string[]
}

/** Requests in flight at once; the dashboard is read after each such batch. */
const BATCH = 10

/**
 * Sends the corpus a batch at a time, reading the dashboard after each batch: it lists the last
 * 20 exceptions, so it shows every one of a batch's.
 */
async function run (apps: readonly CorpusApp[]): Promise<Run> {
  const unexpected: string[] = []
  const dashboards: unknown[] = []
  const sent = new Array<number>(apps.length).fill(0)
  for (let from = 0; from < corpus.requests.length; from += BATCH) {
    await Promise.all(corpus.requests.slice(from, from + BATCH).map(async (request) => {
      const app = apps[request.app]!
      const response = await fetch(`${app.url}${request.path}`, request.init)
      await response.arrayBuffer()
      sent[request.app]!++
      if (response.status !== request.status) unexpected.push(`${request.init.method} ${request.path.slice(0, 100)}: ${response.status}, not ${request.status}`)
    }))
    dashboards.push(await dashboardData(apps[0]!))
  }
  for (const [i, app] of apps.entries()) {
    dashboards.push(await dashboardData(app))
    await app.statsd.waitFor((lines) => lines.filter((line) => line.startsWith('http_request:')).length >= sent[i]!)
  }
  return { apps, sinks: sinkTexts(apps, dashboards), unexpected }
}

/** Leaks found, per framework, for the closing count. */
const leakCounts: Array<[string, number]> = []

/** The sinks every run must have written to (Express writes no request lines of its own). */
function expectedSinks (framework: string): string[] {
  const sinks = ['exception line', 'vigie warning', 'StatsD datagrams', 'snapshot()', 'dashboard data.json']
  return framework === 'Fastify' ? [...sinks, 'Fastify request line'] : sinks
}

function assertNoLeak (t: Test, framework: string, { apps, sinks, unexpected }: Run): void {
  t.same(unexpected, [], 'every request answered as planned')
  t.same(expectedSinks(framework).filter((name) => (sinks.get(name) ?? '') === ''), [], 'every sink was written to')
  const logText = apps.flatMap((app) => app.logs.lines.flatMap((line) => flatten(line))).join('\n')
  const unproven = corpus.planted.filter((p) => p.evidence !== undefined && !logText.includes(p.evidence)).map((p) => `${p.shape} in ${p.place}`)
  t.same(unproven, [], 'every planted secret reached vigie (its marker is in a log line)')

  const all = [...sinks.values()].join('\n')
  let leaks = 0
  const byShape = new Map<string, string[]>()
  for (const planted of corpus.planted) {
    const holding = sinksHolding(planted, sinks, all)
    t.equal(holding.join(', '), '', `${planted.shape}, planted in ${planted.place}: in no sink`)
    if (holding.length === 0) continue
    leaks += holding.length
    byShape.set(planted.shape, [...(byShape.get(planted.shape) ?? []), `${planted.place} → ${holding.join(', ')}`])
  }
  leakCounts.push([framework, leaks])
  t.comment(`${framework}: ${corpus.planted.length} secrets planted (${new Set(corpus.planted.map((p) => p.shape)).size} shapes), ` +
    `${leaks} leaks (a secret found in a sink)`)
  for (const [shape, places] of byShape) t.comment(`  ${shape}: ${places.length} leaked: ${places.join('; ')}`)
}

function assertBenignKept (t: Test, apps: readonly CorpusApp[], benign: Corpus['benign']): void {
  const lines = apps[0]!.logs.lines.filter((line) => String(line.msg).startsWith('exception:'))
  const lineOf = (id: string): Record<string, any> | undefined => lines.find((line) => line.correlationId === id)
  const body = lineOf(benign.ids.body)?.req?.body?.benign
  for (const [key, value] of Object.entries(benign.body)) {
    t.same(body?.[key], value, `over-scrub: body ${key}: ${JSON.stringify(value)} unchanged`)
  }
  const query = lineOf(benign.ids.query)?.req
  for (const [key, value] of Object.entries(benign.query)) {
    t.equal(query?.query?.[key], value, `over-scrub: query ${key}=${value} unchanged in req.query`)
    t.match(query?.url, `${new URLSearchParams({ [key]: value })}`, `over-scrub: query ${key}=${value} unchanged in req.url`)
  }
  const message = String(lineOf(benign.ids.error)?.err?.message)
  for (const part of benign.messageParts) t.ok(message.includes(part), `over-scrub: "${part}" unchanged in an error message`)
  t.equal(message, benign.messageParts.join('; '), 'over-scrub: the whole error message unchanged')
}

async function check (t: Test, framework: string, start: (t: Test) => Promise<CorpusApp>): Promise<void> {
  const apps: CorpusApp[] = []
  for (let i = 0; i < corpus.apps; i++) apps.push(await start(t))
  const result = await run(apps)
  t.test('no planted secret in any sink', async (t) => assertNoLeak(t, framework, result))
  t.test('benign values come through unchanged', async (t) => assertBenignKept(t, apps, corpus.benign))
}

t.test('Fastify', (t) => check(t, 'Fastify', startFastify))
for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, (t) => check(t, name, (t) => startExpress(t, express)))
}
t.test('total', async (t) => {
  const total = leakCounts.reduce((sum, [, n]) => sum + n, 0)
  t.comment(`total leaks: ${total} (${leakCounts.map(([framework, n]) => `${framework} ${n}`).join(', ')})`)
  t.equal(leakCounts.length, 1 + EXPRESS_VERSIONS.length, 'every framework was checked')
  t.equal(total, 0, 'no leak')
})
