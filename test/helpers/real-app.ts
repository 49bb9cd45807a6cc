import { once } from 'node:events'
import type { Test } from 'tap'
import { spawnBuilt } from './run-built.ts'

/** One stdout line of the app, parsed, with its raw text. */
export interface Line {
  readonly raw: string
  readonly json: Record<string, any>
}

/** One request made to the app, and what it answered. */
export interface Exchange {
  readonly name: string
  /** The value of the `probe` query parameter added to its URL: finds its lines again. */
  readonly probe: string
  readonly method: string
  readonly path: string
  /** Date.now() just before it was sent, and once its body was read. */
  readonly start: number
  readonly end: number
  readonly status: number
  readonly headers: Headers
  readonly body: string
  /** The correlation ID the app answered with (`x-request-id`). */
  readonly id: string | null
}

/** An app started in a child process: the lines it wrote, and the requests made to it. */
export interface RealApp {
  readonly port: number
  /** The app's process id (`env` execs Node: the same process). */
  readonly pid: number
  readonly exchanges: Exchange[]
  /** Resolves true once stdout holds `text`, false after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs: number): Promise<boolean>
  /**
   * Sends a request with `probe=<n>` added to its query; waits a few ms after it, so the time
   * windows of requests sent one after the other never touch.
   */
  send(name: string, path: string, init?: RequestInit): Promise<Exchange>
  /** SIGTERM, then resolves once the app exited (SIGKILL after 10 s). */
  stop(): Promise<{ stdout: string, stderr: string, lines: Line[], nonJson: string[] }>
}

/**
 * Starts `node ...args` at the package root (where `vigie` resolves to the BUILT package through
 * its exports map), without tap's loaders, and resolves once the app printed
 * `{"fixture":"listening","port":N}`; rejects with its stderr if it exits or stays silent first.
 */
export async function startRealApp (args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<RealApp> {
  const child = spawnBuilt(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = once(child, 'exit')

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`node ${args.join(' ')} did not listen within ${timeoutMs} ms:\n${stderr}`)) }, timeoutMs)
    const onData = (): void => {
      const match = /\{"fixture":"listening","port":(\d+)\}/.exec(stdout)
      if (match === null) return
      clearTimeout(timer)
      child.stdout.off('data', onData)
      resolve(Number(match[1]))
    }
    child.stdout.on('data', onData)
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal} before listening:\n${stderr}\n${stdout}`)) })
  })

  const exchanges: Exchange[] = []
  let probes = 0
  return {
    port,
    pid: child.pid!,
    exchanges,
    async waitForOutput (text, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while (!stdout.includes(text)) {
        if (Date.now() > deadline) return false
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return true
    },
    async send (name, path, init = {}) {
      const probe = String(++probes)
      const url = new URL(path, `http://127.0.0.1:${port}`)
      url.searchParams.set('probe', probe)
      const start = Date.now()
      const res = await fetch(url, { ...init, redirect: 'manual' })
      const body = await res.text()
      const end = Date.now()
      const exchange = { name, probe, method: init.method ?? 'GET', path, start, end, status: res.status, headers: res.headers, body, id: res.headers.get('x-request-id') }
      exchanges.push(exchange)
      await new Promise((resolve) => setTimeout(resolve, 3))
      return exchange
    },
    async stop () {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
      const lines: Line[] = []
      const nonJson: string[] = []
      for (const raw of stdout.split('\n')) {
        if (raw === '') continue
        try {
          lines.push({ raw, json: JSON.parse(raw) })
        } catch {
          nonJson.push(raw)
        }
      }
      return { stdout, stderr, lines, nonJson }
    },
  }
}

function probeOf (url: unknown): string | null {
  if (typeof url !== 'string') return null
  const query = url.indexOf('?')
  return query < 0 ? null : new URLSearchParams(url.slice(query + 1)).get('probe')
}

/**
 * The lines written inside each request, found without looking at their correlation ID:
 * - lines whose `req.url` holds the request's probe (Fastify's "incoming request", pino-http's
 *   lines, vigie's exception lines);
 * - lines with the same Fastify `reqId` as one of those;
 * - the app's own marker lines (an `at` field) with neither `reqId` nor `req`, by time: written
 *   by a handler, so between the request's start and its answer (for requests sent side by
 *   side, only that the line carries the ID of one of those in flight is checked).
 * `orphans` are lines that look written inside a request (a `reqId`, a `req.url` with a probe,
 * an `at` marker) but match no request.
 */
export function linesByRequest (lines: Line[], exchanges: Exchange[]): { byProbe: Map<string, Line[]>, orphans: Line[] } {
  const byProbe = new Map<string, Line[]>(exchanges.map((e) => [e.probe, []]))
  const probeOfReqId = new Map<unknown, string>()
  for (const line of lines) {
    const probe = probeOf(line.json.req?.url)
    if (probe !== null && line.json.reqId !== undefined) probeOfReqId.set(line.json.reqId, probe)
  }
  const orphans: Line[] = []
  for (const line of lines) {
    const { json } = line
    let probe = probeOf(json.req?.url)
    if (probe === null && json.reqId !== undefined) probe = probeOfReqId.get(json.reqId) ?? null
    if (probe === null && json.at !== undefined && json.reqId === undefined && json.req === undefined) {
      // Requests sent side by side overlap: the line goes to the one whose ID it carries, if any
      // was in flight then, else to the first (where it fails the check).
      const inFlight = exchanges.filter((e) => json.time >= e.start && json.time <= e.end)
      probe = (inFlight.find((e) => e.id === json.correlationId) ?? inFlight[0])?.probe ?? null
    }
    const looksInside = json.reqId !== undefined || json.at !== undefined || probeOf(json.req?.url) !== null
    if (probe !== null && byProbe.has(probe)) byProbe.get(probe)!.push(line)
    else if (looksInside) orphans.push(line)
  }
  return { byProbe, orphans }
}

/** The lines among `lines` that do not carry `id` under `correlationId` exactly once. */
export function linesWithoutId (lines: Line[], id: string | null): Line[] {
  return lines.filter((line) => id === null || line.json.correlationId !== id || line.raw.split('"correlationId":').length !== 2)
}

/** What a run of an app gave: its requests and its output. */
export interface AppRun {
  readonly exchanges: Exchange[]
  readonly lines: Line[]
  readonly nonJson: string[]
  readonly stdout: string
  readonly stderr: string
}

/** Starts the app, runs `drive` against it, stops it, and gathers what it wrote. */
export async function runRealApp (args: string[], env: Record<string, string>, drive: (app: RealApp) => Promise<void>): Promise<AppRun> {
  const app = await startRealApp(args, env)
  let failure: Error | null = null
  try {
    await drive(app)
  } catch (error) {
    failure = error as Error
  }
  const output = await app.stop()
  if (failure !== null) throw new Error(`driving node ${args.join(' ')} failed: ${failure.message}\n${output.stderr}`, { cause: failure })
  return { exchanges: app.exchanges, ...output }
}

function describe (line: Line): string {
  const { msg, at, reqId, correlationId } = line.json
  return JSON.stringify({ msg, at, reqId, correlationId })
}

/**
 * Every line written inside a request carries `correlationId` once, equal to the `x-request-id`
 * its response carried; every request has at least `minLines` lines, so that the check is not
 * vacuous; no line that looks written inside a request matches none.
 */
export function assertIdOnEveryLine (t: Test, run: AppRun, minLines: number): void {
  const { byProbe, orphans } = linesByRequest(run.lines, run.exchanges)
  const missing: string[] = []
  let total = 0
  for (const exchange of run.exchanges) {
    const lines = byProbe.get(exchange.probe)!
    total += lines.length
    t.ok(lines.length >= minLines, `${exchange.name}: ${lines.length} lines found written inside it`)
    for (const line of linesWithoutId(lines, exchange.id)) missing.push(`${exchange.name} (${exchange.id}): ${describe(line)}`)
  }
  t.same(missing, [], `${total - missing.length} of ${total} lines written inside requests carry their request's ID, once`)
  t.same(orphans.map(describe), [], 'every line that looks written inside a request was matched to one')
}

/** The exchange of a run named `name` (every name a test asserts on was sent). */
export function byName (run: AppRun, name: string): Exchange {
  return run.exchanges.find((e) => e.name === name)!
}

/** The status and JSON body the app answered the exchange named `name`. */
export function answerOf (run: AppRun, name: string): { status: number, body: unknown } {
  const { status, body } = byName(run, name)
  return { status, body: JSON.parse(body) }
}

/** No secret appears anywhere in the app's output, stdout or stderr, as raw text. */
export function assertNoSecret (t: Test, run: AppRun, secrets: Record<string, string>): void {
  const output = `${run.stdout}\n${run.stderr}`.split('\n')
  for (const [name, secret] of Object.entries(secrets)) {
    t.ok(secret.length >= 8, `${name} is a real secret to look for`)
    t.same(output.filter((line) => line.includes(secret)), [], `no ${name} in any line`)
  }
}

/** vigie's exception lines (one per failing request, up to the flood limit). */
export function exceptionLines (run: AppRun): Array<Record<string, any>> {
  return run.lines.map((line) => line.json).filter((json) => typeof json.msg === 'string' && json.msg.startsWith('exception:') && json.err !== undefined)
}

/** vigie's flood summaries. */
export function summaryLines (run: AppRun): Array<Record<string, any>> {
  return run.lines.map((line) => line.json).filter((json) => json.vigie === 'exception-summary')
}

/** The flood case's limit: VIGIE_EXCEPTION_LINES_PER_INTERVAL=3, VIGIE_EXCEPTION_LINES_INTERVAL_MS=1000. */
export const FLOOD_ENV = { VIGIE_EXCEPTION_LINES_PER_INTERVAL: '3', VIGIE_EXCEPTION_LINES_INTERVAL_MS: '1000' }
const FLOOD_LINES = 3
const FLOOD_INTERVAL_MS = 1000

/**
 * The exception lines of a burst of failures of one kind (one controller, error type and
 * status), sent side by side: below the limit, one line each; in the flood case, FLOOD_LINES
 * lines, then one summary counting the others with some of their IDs, while the
 * `http_request.exception` counter (from `metrics`, the StatsD lines the app sent) counts them
 * all. A burst the app took longer than one interval to serve (a loaded machine) spans two
 * intervals: then each failure must still be either written or summarised, once.
 */
export function assertBurst (t: Test, run: AppRun, burst: Exchange[], kind: { controller: string, errorType: string, statusCode: number }, flood: boolean, metrics: string[]): Array<Record<string, any>> {
  const ids = burst.map((e) => e.id)
  const lines = exceptionLines(run).filter((line) => line.req?.route === kind.controller)
  const written = lines.map((line) => line.correlationId as string)
  t.ok(written.every((id) => ids.includes(id)) && new Set(written).size === written.length, 'each line is one failing request\'s, once')
  const summaries = summaryLines(run)
  if (!flood) {
    t.equal(written.length, burst.length, 'one line per failing request')
    t.same(summaries, [], 'below the limit, no summary')
    return lines
  }
  const span = Math.max(...burst.map((e) => e.end)) - Math.min(...burst.map((e) => e.start))
  const suppressed = ids.filter((id) => !written.includes(id))
  if (span < FLOOD_INTERVAL_MS) {
    t.equal(written.length, FLOOD_LINES, `the first ${FLOOD_LINES} failures of the kind are written in full (the burst took ${span} ms)`)
    t.equal(summaries.length, 1, 'one summary for the kind past its limit')
  } else {
    t.ok(written.length >= FLOOD_LINES && written.length <= FLOOD_LINES * Math.ceil(span / FLOOD_INTERVAL_MS + 1), `${FLOOD_LINES} lines in full per interval the burst touched (it took ${span} ms)`)
    t.ok(summaries.length >= 1, 'a summary for each interval past its limit')
  }
  for (const summary of summaries) {
    t.match(summary, { vigie: 'exception-summary', ...kind }, 'a summary of the kind')
    const sampled: unknown = summary.correlationIds
    t.ok(Array.isArray(sampled) && sampled.length > 0 && sampled.every((id) => suppressed.includes(id)), 'with IDs of failures whose line was not written')
  }
  t.equal(summaries.reduce((sum, summary) => sum + Number(summary.suppressed), 0), suppressed.length, 'the summaries count every failure not written')
  const counted = metrics.filter((line) => /^[^:]*http_request\.exception:/.test(line) && line.includes(`controller:${kind.controller}`))
    .reduce((sum, line) => sum + Number(/:(\d+)\|c/.exec(line)?.[1] ?? 0), 0)
  t.equal(counted, burst.length, 'http_request.exception still counts every failure')
  return lines
}
