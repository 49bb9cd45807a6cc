import type { Test } from 'tap'
import { spawnBuilt } from './run-built.ts'
import { startStatsdListener } from './statsd-listener.ts'
import { until } from './until.ts'

/** What a worker of test/fixtures/cluster/aggregation.mjs says at /totals. */
export interface Totals { worker: number, hits: number, timed: number, alerts: Array<{ name: string, state: string }>, sloTotal: number | null }

export interface ClusterApp {
  /** `http://127.0.0.1:<port>`: the port every worker shares. */
  readonly origin: string
  /** Stops the cluster (SIGTERM to the primary). */
  kill: () => void
  /** What the primary and the workers printed. */
  output: () => string
}

/** test/fixtures/cluster/aggregation.mjs on the built package with `env` (three workers), stopped with the test; ready once each worker printed "ready". */
export async function startCluster (t: Test, env: Record<string, string>, args: string[] = []): Promise<ClusterApp> {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  // The workers listen on port 0, which the primary turns into one port for all of them: no port
  // picked beforehand that another test could take meanwhile.
  const child = spawnBuilt([...args, 'test/fixtures/cluster/aggregation.mjs'], { STATSD_PORT: String(statsd.port), WORKERS: '3', ...env })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
  t.teardown(() => { child.kill('SIGTERM') })
  const ready = (): string[] => out.split('\n').filter((line) => line.startsWith('ready '))
  await until(() => ready().length === 3, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; the cluster printed:\n${out}`)
  })
  const ports = new Set(ready().map((line) => line.split(' ')[2]))
  if (ports.size !== 1) throw new Error(`the workers listen on ports ${[...ports].join(', ')}, not one; the cluster printed:\n${out}`)
  const [port] = ports
  return { origin: `http://127.0.0.1:${port}`, kill: () => child.kill('SIGTERM'), output: () => out }
}

/** By worker id: how many requests it served, and its pid. */
export type Served = Map<number, { count: number, pid: number }>

/** Gets `path` (/hit, or /hit/<item>) `n` times, 10 at a time; what each worker served. */
export async function hit (origin: string, n: number, path = '/hit'): Promise<Served> {
  const served: Served = new Map()
  for (let sent = 0; sent < n; sent += 10) {
    const answers = await Promise.all(Array.from({ length: Math.min(10, n - sent) }, async () => {
      const response = await fetch(`${origin}${path}`)
      if (response.status !== 200) throw new Error(`status ${response.status}`)
      return await response.json() as { worker: number, pid: number }
    }))
    for (const { worker, pid } of answers) served.set(worker, { count: (served.get(worker)?.count ?? 0) + 1, pid })
  }
  return served
}

/**
 * Reads `path` on fresh connections (so that each may land on another worker) until each of
 * `workers` workers gave an answer `done` accepts; the last answer of each, by worker.
 */
export async function answersOfEach<T> (origin: string, path: string, read: (response: Response) => Promise<T>, done: (answer: T) => boolean,
  { workers = 3, headers = {}, timeoutMs = 15_000 }: { workers?: number, headers?: Record<string, string>, timeoutMs?: number } = {}): Promise<Map<number, T>> {
  const last = new Map<number, T>()
  const settled = new Set<number>()
  const deadline = Date.now() + timeoutMs
  while (settled.size < workers) {
    if (Date.now() > deadline) throw new Error(`workers settled: ${[...settled].join(',')}; last: ${JSON.stringify([...last])}`)
    const response = await fetch(`${origin}${path}`, { headers: { connection: 'close', ...headers } })
    const worker = Number(response.headers.get('x-worker'))
    const answer = await read(response)
    last.set(worker, answer)
    if (done(answer)) settled.add(worker)
    else settled.delete(worker)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return last
}

/** /totals until each worker's answer satisfies `done`. */
export async function totalsOfEach (origin: string, done: (totals: Totals) => boolean): Promise<Map<number, Totals>> {
  return await answersOfEach(origin, '/totals', async (response) => await response.json() as Totals, done)
}
