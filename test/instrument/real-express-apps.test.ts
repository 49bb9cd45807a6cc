// Zero-code mode on an Express app built as real ones are (test/fixtures/real-express): nested
// routers, a param check, a sub-app, a form, its own error handler. Express 4 and 5, started
// with `node -r vigie/register`, `node --import vigie/register` and patchAll(), and with
// Express loaded from a vendored copy outside node_modules/express.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { runBuiltOutput } from '../helpers/run-built.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = `${root}test/fixtures/real-express`
const artifacts = `${root}test/.artifacts/real-express`

/**
 * A project whose node_modules/express is the given major (Express 4 is installed here under
 * the alias `express4`), holding the fixture; and a vendored copy of the same Express, outside
 * any node_modules/express.
 */
function project (major: 4 | 5): { dir: string, vendored: string } {
  const dir = `${artifacts}/express${major}`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(`${dir}/node_modules`, { recursive: true })
  const source = `${root}node_modules/${major === 4 ? 'express4' : 'express'}`
  cpSync(source, `${dir}/node_modules/express`, { recursive: true, dereference: true })
  cpSync(source, `${dir}/vendor/express-copy`, { recursive: true, dereference: true })
  cpSync(fixtures, dir, { recursive: true })
  return { dir, vendored: `${dir}/vendor/express-copy/index.js` }
}

t.teardown(() => rmSync(artifacts, { recursive: true, force: true }))

interface Run {
  readonly results: Record<string, { status: number, header?: string, body: string }>
  readonly lines: Array<Record<string, any>>
  readonly counters: string[]
  readonly stderr: string
}

async function run (t: Test, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { stdout, stderr } = runBuiltOutput(args, {
    STATSD_HOST: '127.0.0.1',
    STATSD_PORT: String(listener.port),
    VIGIE_PROCESS_METRICS: 'false',
    ...env,
  })
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>)
  const results = lines.find((line) => line.results !== undefined)?.results ?? {}
  await listener.waitFor((received) => received.filter((l) => l.startsWith('http_request:')).length >= 6)
  await new Promise((resolve) => setTimeout(resolve, 50))
  return { results, lines: lines.filter((line) => line.results === undefined), counters: listener.lines.filter((l) => l.startsWith('http_request:')).sort(), stderr }
}

const EXPECTED_COUNTERS = [
  'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/admin/stats',
  'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/api/users/:uid',
  'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/api/users/:uid/posts/:pid',
  'http_request:1|c|#http_status:400,http_status_class:4xx,method:GET,controller:/api/users/:uid',
  'http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/api/users/:uid/fail',
  'http_request:1|c|#http_status:500,http_status_class:5xx,method:POST,controller:/orders',
]

/** What every start-up mode must give: the README's promises, on this app. */
function assertKeptPromises (t: Test, { results, lines, counters, stderr }: Run): void {
  t.equal(results.post!.status, 200)
  t.equal(results.post!.header, 'real-post', 'the ID is echoed')
  t.equal(results.badParam!.status, 400, 'Express\'s answer to the client error stands')
  t.equal(results.fail!.status, 500)
  t.same(JSON.parse(results.fail!.body), { error: 'internal', correlationId: 'real-fail' }, 'the app\'s own error handler answered, with req.correlationId')
  t.equal(results.admin!.status, 200)
  t.equal(results.order!.status, 500)
  t.same(counters, EXPECTED_COUNTERS, 'one count per request, full patterns through routers and the sub-app')

  const exceptions = lines.filter((l) => String(l.msg).startsWith('exception:'))
  t.same(exceptions.map((l) => l.msg).sort(), [
    'exception: RangeError: quantity out of range: 200',
    'exception: TypeError: cannot read the profile',
  ], 'the thrown errors, though the app answered them itself')
  const fail = exceptions.find((l) => l.correlationId === 'real-fail')
  t.match(fail, { err: { type: 'TypeError', message: 'cannot read the profile', stack: /TypeError: cannot read the profile\n\s+at / }, res: { statusCode: 500 } })
  const order = exceptions.find((l) => l.correlationId === 'real-order')
  t.match(order?.repro, /-H 'content-type: application\/x-www-form-urlencoded' .*--data-raw 'item=book&qty=200&card=\*+1111'$/, 'the form is replayed as a form')
  t.notOk(JSON.stringify(lines).includes('4111111111111111'), 'the card number is scrubbed everywhere')

  const traces = lines.filter((l) => l.level === 30 && l.correlationId === 'real-badParam')
  t.match(traces, [{ msg: 'client error: 400 Error: user id must be numeric: abc', res: { statusCode: 400 } }], 'one trace of the unhandled client error')
  t.notOk(JSON.stringify(traces).includes('"stack"'), 'without a stack')
  t.notOk(`${JSON.stringify(lines)}${stderr}`.includes('ran twice'), 'no warning about the sub-app')
}

for (const major of [5, 4] as const) {
  t.test(`Express ${major}`, async (t) => {
    const { dir, vendored } = project(major)

    t.test('node -r vigie/register', async (t) => {
      assertKeptPromises(t, await run(t, ['-r', 'vigie/register', `${dir}/app.cjs`]))
    })

    t.test('node --import vigie/register', async (t) => {
      assertKeptPromises(t, await run(t, ['--import', 'vigie/register', `${dir}/app.mjs`]))
    })

    t.test('patchAll() in code', async (t) => {
      assertKeptPromises(t, await run(t, [`${dir}/app.cjs`], { VIGIE_PATCH_ALL: '1' }))
    })

    t.test('Express from a vendored copy: found at its first request, every promise kept', async (t) => {
      for (const [mode, args] of [['-r', ['-r', 'vigie/register', `${dir}/app.cjs`]], ['--import', ['--import', 'vigie/register', `${dir}/app.mjs`]]] as const) {
        const result = await run(t, [...args], { EXPRESS_FROM: vendored })
        assertKeptPromises(t, result)
        t.same(result.lines.filter((l) => l.level === 40), [], `${mode}: no warning`)
      }
    })
  })
}
