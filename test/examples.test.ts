// The examples run as a user runs them (against the built package) and do what their README says.
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { runBuiltOutput, spawnBuilt } from './helpers/run-built.ts'

function jsonLines (stdout: string): Array<Record<string, any>> {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
}

t.test('examples/patch-all/esm.mjs: two services log the same correlation ID', async (t) => {
  const { stdout } = runBuiltOutput(['examples/patch-all/esm.mjs'], { STATSD_PORT: '9' })
  const lines = jsonLines(stdout)
  t.equal(lines.find((l) => l.msg === 'stock checked')?.correlationId, 'example-esm-1', 'inventory (Express)')
  t.equal(lines.find((l) => l.msg === 'order placed')?.correlationId, 'example-esm-1', 'orders (Fastify)')
  t.match(stdout, /inventory saw example-esm-1: the same ID in both services' logs/)
})

t.test('examples/patch-all/cjs.cjs with -r vigie/register: two services log the same correlation ID', async (t) => {
  const { stdout } = runBuiltOutput(['-r', 'vigie/register', 'examples/patch-all/cjs.cjs'], { STATSD_PORT: '9' })
  const lines = jsonLines(stdout)
  t.equal(lines.find((l) => l.msg === 'price looked up')?.correlationId, 'example-cjs-1', 'pricing (Fastify)')
  t.equal(lines.find((l) => l.msg === 'quote served')?.correlationId, 'example-cjs-1', 'gateway (Express)')
  t.match(stdout, /pricing saw example-cjs-1: the same ID in both services' logs/)
})

t.test('examples/demo.mjs: the StatsD daemon gets the planned counts and every check passes', async (t) => {
  const { stdout } = runBuiltOutput(['examples/demo.mjs'], { VIGIE_DEMO_DB: '' }, 60_000)
  t.match(stdout, /All \d+ checks passed: 61 requests, metrics, the exception line and the database's lines are as expected\./)
  t.match(stdout, /^Shop database: PostgreSQL [\d.]+, Debian's server, on 127\.0\.0\.1:\d+, ready in [\d.]+ s$/m,
    'the shop runs on Debian\'s PostgreSQL (.ci/run installs it), and the demo says so')
  t.match(stdout, /^ {2}ok {4}db\.query counted under the route that sent it: \/products\/:id 50, \/orders 52, \/reports\/sales 3, \/checkout 1$/m)
  t.match(stdout, /^ {2}\{"level":40,.*"vigie":"slow-query",.*"name":"shop".*"correlationId":"demo-report-000\d","route":"\/reports\/sales","msg":"slow query"\}$/m,
    'a slow query line, as in the log')
  t.match(stdout, /^ {2}\{"level":40,.*"correlationId":"demo-orders-0001","route":"\/orders","msg":"possible N\+1: 25 × SELECT p\.name, i\.quantity, p\.price FROM order_items i JOIN products p ON p\.id = i\.product_id WHERE i\.order_id = \?"\}$/m,
    'the N+1 line, as in the log')
  t.match(stdout, /^ +3 +\d+\.\d +\d+\.\d +\d+\.\d +9 +0 +SELECT p\.name, sum\(i\.quantity\)/m, 'the sales report among the slowest queries')
  t.match(stdout, /^ {2}controller:\/products\/:id +controller=-products-id$/m, 'the route pattern vigie sent, beside the key the daemon stored')
  t.match(stdout, /sanitizeKeyName/, 'and where the daemon renames it')
  t.notMatch(stdout, /Dashboard:/, 'no dashboard without --serve')
  t.match(stdout, /All 7 checks passed: the SLO burned, alerts fired by mail, and the ticket resolved\./, 'the outage part: every check passed')
  t.match(stdout, /^ {2}to ops@shop\.example: vigie: \[FIRING\] checkout-errors \(ticket\)$/m, 'the ticket mailed through the real SMTP server')
  t.match(stdout, /^ {2}to oncall@shop\.example: vigie: \[FIRING\] slo:shop:page:1h\/5m \(page\)$/m, 'the SLO\'s page')
  t.match(stdout, /^ {2}to ops@shop\.example: vigie: \[RESOLVED\] checkout-errors \(ticket\)$/m, 'then the resolve')
  t.ok(stdout.indexOf('[FIRING] checkout-errors') < stdout.indexOf('[RESOLVED] checkout-errors'), 'in that order')
})

t.test('examples/demo.mjs --serve: prints the dashboard URL, keeps traffic going, stops on SIGTERM', async (t) => {
  const child = spawnBuilt(['examples/demo.mjs', '--serve', '--port', '0'], { STATSD_PORT: '', VIGIE_DEMO_DB: '' })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const exited = once(child, 'exit')
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })

  const deadline = Date.now() + 20_000
  let url: string | undefined
  while (url === undefined) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no dashboard URL printed; stdout:\n${stdout}\nstderr:\n${stderr}`)
    url = /^Dashboard: (http:\/\/127\.0\.0\.1:\d+\/_vigie)$/m.exec(stdout)?.[1]
    await sleep(50)
  }
  let total = 0
  let slos: string[] = []
  while (total === 0) {
    if (Date.now() > deadline) throw new Error('the dashboard never counted a request')
    await sleep(200)
    const data = await (await fetch(`${url}/data.json`)).json() as { statusClasses: { total: number }, slos: Array<{ name: string }> }
    total = data.statusClasses.total
    slos = data.slos.map((slo) => slo.name)
  }
  t.ok(total > 0, `the dashboard counts the demo's traffic (${total} requests so far)`)
  t.same(slos, ['shop'], 'and shows the shop\'s SLO')
  t.equal((await fetch(`${url}/health/ready`)).status, 200, 'the readiness endpoint answers')
  t.equal((await fetch(url)).status, 200, 'the page is served')

  child.kill('SIGTERM')
  const [code, signal] = await exited
  t.equal(code, 0, `exits cleanly (signal ${signal}); stderr: ${stderr}`)
  t.match(stdout, /SIGTERM: stopping…\nStopped after \d+ × 200/)
})

t.test('examples/demo.mjs with VIGIE_DEMO_DB=pglite: the shop runs on PGlite, and every check passes', async (t) => {
  // PGlite takes seconds to start (more on a busy machine), hence the longer time limit.
  const { stdout } = runBuiltOutput(['examples/demo.mjs'], { VIGIE_DEMO_DB: 'pglite' }, 120_000)
  t.match(stdout, /^Shop database: PGlite \(PostgreSQL [\d.]+ in WebAssembly, served over TCP by pglite-socket\), on 127\.0\.0\.1:\d+, ready in [\d.]+ s$/m)
  t.match(stdout, /^ {2}\(PGlite: VIGIE_DEMO_DB=pglite;/m, 'and says why')
  t.match(stdout, /^ {2}\((started from the fresh cluster an earlier run kept in|its fresh cluster is kept in) \S+vigie-demo-pglite-[\d.]+\.tar\.gz/m,
    'and where it keeps a copy of its fresh cluster, for a faster start')
  t.match(stdout, /All \d+ checks passed: 61 requests, metrics, the exception line and the database's lines are as expected\./)
  t.match(stdout, /"vigie":"slow-query",.*"name":"postgres"/, 'PGlite\'s one database is `postgres`')
  t.match(stdout, /All 7 checks passed: the SLO burned/)
})
