import type { Test } from 'tap'
import { runBuilt } from './run-built.ts'
import { startStatsdListener } from './statsd-listener.ts'

/** Apps that patchAll() or `vigie/register` instrument in a child process. */
export const FIXTURES = 'test/fixtures/patch-all'
/** The counter a fixture's `GET /users/7` sends, Fastify and Express alike. */
export const COUNTER = 'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/users/:id'

/**
 * Runs a fixture against the built package with a real StatsD listener, and returns the result
 * line it prints and the metric lines received once a counter has arrived.
 */
export async function runFixture (t: Test, args: string[], env: Record<string, string> = {}): Promise<{ result: any, lines: string[] }> {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const stdout = runBuilt(args, { STATSD_HOST: '127.0.0.1', STATSD_PORT: String(listener.port), ...env })
  // The fixture prints its result last, but an exception line (JSON on stdout too, with a pino
  // `level`) may land after it.
  const result = stdout.trim().split('\n').map((line) => JSON.parse(line)).findLast((parsed) => !('level' in parsed))
  await listener.waitFor((lines) => lines.some((l) => l.includes('|c')))
  await new Promise((resolve) => setTimeout(resolve, 50))
  return { result, lines: listener.lines }
}
