// vigie's promises on an Express app built as real ones are (test/fixtures/real-apps/express):
// pino-http and a module-level pino logger, express-session, form posts carrying a password, an
// auth middleware setting req.user, nested routers with params, an admin sub-app, and its own
// error-handling middleware. On Express 5 and 4, started with `--import vigie/register`, with
// `-r vigie/register` and mounting vigie in code, each in a child process driven over HTTP.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { answerOf, assertBurst, byName, assertIdOnEveryLine, assertNoSecret, exceptionLines, FLOOD_ENV, runRealApp, type AppRun, type RealApp } from '../helpers/real-app.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const { hashPassword } = createRequire(import.meta.url)('../fixtures/real-apps/password-hash.cjs') as { hashPassword: (password: string) => string }

const root = fileURLToPath(new URL('../..', import.meta.url))
const artifacts = `${root}test/.artifacts/real-apps`
const PASSWORD = 'correct-horse-battery-staple-42'
const HASH = hashPassword(PASSWORD)
const API_TOKEN = 'api-7f3a9c2e51d84b06e2'
const ADA = { id: 1, username: 'ada', email: 'ada@example.com' }
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * The fixtures under a folder whose node_modules/express is the given major (Express 4 is
 * installed here under the alias `express4`, which vigie's module hooks would not see as express).
 */
function project (major: 4 | 5): string {
  const dir = `${artifacts}/express${major}`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(`${dir}/node_modules`, { recursive: true })
  cpSync(`${root}node_modules/${major === 4 ? 'express4' : 'express'}`, `${dir}/node_modules/express`, { recursive: true, dereference: true })
  cpSync(`${root}test/fixtures/real-apps`, dir, { recursive: true, filter: (source) => !source.includes('/fastify') })
  return `${dir}/express`
}

function modes (app: string): Array<{ mode: string, args: string[], env: Record<string, string>, flood: boolean }> {
  return [
    { mode: 'node --import vigie/register app.mjs', args: ['--import', 'vigie/register', `${app}/app.mjs`], env: {}, flood: false },
    { mode: 'node -r vigie/register app.cjs (the flood case)', args: ['-r', 'vigie/register', `${app}/app.cjs`], env: FLOOD_ENV, flood: true },
    { mode: 'app.use(expressObservability({ logger })) in code', args: [`${app}/app.cjs`], env: { VIGIE_IN_CODE: '1' }, flood: false },
  ]
}

interface ExpressRun extends AppRun {
  readonly cookie: string
  readonly metrics: string[]
}

function form (body: string, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }
}

async function drive (app: RealApp, flood: boolean): Promise<string> {
  await app.send('user', '/api/users/42')
  const login = await app.send('login', '/login', form(`email=ada%40example.com&password=${PASSWORD}`, { 'x-request-id': 'ex-login' }))
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
  const auth = { cookie, authorization: `Bearer ${API_TOKEN}` }
  await app.send('order', '/api/users/42/orders/7', { headers: { cookie } })
  await app.send('stats', '/admin/stats', { headers: auth })
  // A burst, side by side, as a flood comes: inside one interval of the flood case, unless the
  // machine is loaded. It comes first of the failures, so that the interval starts with it.
  await Promise.all(Array.from({ length: flood ? 8 : 2 }, (_, i) => app.send(`profile ${i + 1}`, '/api/users/42/profile', { headers: auth })))
  const burstEnd = Date.now()
  await app.send('settings', '/admin/settings', form(`smtp_host=mail.example.com&smtp_port=99999&password=${PASSWORD}`, { ...auth, 'x-request-id': 'ex-settings' }))
  await app.send('unknown route', '/nope')
  // Summaries are written when their interval ends: at the latest one interval after the burst.
  if (flood) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, burstEnd + 1500 - Date.now())))
    await app.waitForOutput('"exception-summary"', 3000)
  }
  return cookie
}

function assertAnswers (t: Test, run: ExpressRun, flood: boolean): void {
  const answer = (name: string): { status: number, body: unknown } => answerOf(run, name)
  t.same(answer('user'), { status: 200, body: { uid: '42' } })
  t.same(answer('login'), { status: 200, body: { id: 1 } })
  t.match(run.cookie, /^connect\.sid=s%3A[^;]{20,}$/, 'the session cookie was set')
  t.same(answer('order'), { status: 200, body: { uid: '42', oid: '7' } }, 'params through nested routers')
  t.same(answer('stats'), { status: 200, body: { users: 1 } }, 'the sub-app answers')
  t.same(answer('settings'), { status: 500, body: { error: 'internal' } }, 'the app\'s error handler answered')
  for (let i = 1; i <= (flood ? 8 : 2); i++) t.same(answer(`profile ${i}`), { status: 500, body: { error: 'internal' } })
  t.equal(byName(run, 'unknown route').status, 404)
  t.match(byName(run, 'unknown route').body, /Cannot GET \/nope/, 'Express\'s own 404')
  t.equal(byName(run, 'login').id, 'ex-login', 'a valid incoming ID is echoed')
  t.equal(byName(run, 'settings').id, 'ex-settings')
  for (const e of run.exchanges.filter((e) => e.name !== 'login' && e.name !== 'settings')) t.match(e.id, UUID_V7, `${e.name}: a fresh ID`)
  t.same(run.nonJson, [], 'every stdout line is JSON')
}

function assertSecretsKept (t: Test, run: ExpressRun): void {
  const value = run.cookie.slice(run.cookie.indexOf('=') + 1)
  const decoded = decodeURIComponent(value)
  assertNoSecret(t, run, {
    password: PASSWORD,
    'password, form-encoded': encodeURIComponent(PASSWORD),
    'bearer token': API_TOKEN,
    'session cookie': value,
    'session cookie, decoded': decoded,
    'session ID': decoded.slice(2).split('.')[0]!,
    'bcrypt hash from req.user': HASH,
    'bcrypt salt and hash': HASH.slice('$2b$10$'.length),
  })
}

function assertExceptions (t: Test, run: ExpressRun, flood: boolean, inCode: boolean): void {
  // In code, vigie writes through the app's logger, whose own `redact` paths then apply.
  const headers = inCode ? { authorization: '[Redacted]', cookie: '[Redacted]' } : { authorization: '[REDACTED]', cookie: 'connect.sid=[REDACTED]' }
  const lines = exceptionLines(run)
  const profiles = run.exchanges.filter((e) => e.name.startsWith('profile'))
  const settings = lines.filter((line) => line.correlationId === 'ex-settings')
  t.equal(settings.length, 1, 'one line for the failed form post')
  t.match(settings[0], {
    level: 50,
    msg: 'exception: RangeError: smtp port out of range: 99999',
    err: { type: 'RangeError', message: 'smtp port out of range: 99999', stack: /^RangeError: smtp port out of range: 99999\n\s+at / },
    req: {
      method: 'POST',
      route: '/admin/settings',
      body: { smtp_host: 'mail.example.com', smtp_port: '99999', password: '[REDACTED]' },
      headers,
    },
    res: { statusCode: 500 },
    repro: /--data-raw 'smtp_host=mail\.example\.com&smtp_port=99999&password=%5BREDACTED%5D'$/,
  }, 'the error the app\'s own error handler answered, with its stack, the form\'s password masked')
  t.same(settings[0]?.user, ADA, 'the user is req.user\'s id, username and email, and nothing else')

  const profileLines = assertBurst(t, run, profiles, { controller: '/api/users/:uid/profile', errorType: 'TypeError', statusCode: 500 }, flood, run.metrics)
  for (const line of profileLines) {
    t.match(line, { err: { type: 'TypeError', stack: /^TypeError: Cannot read properties of undefined \(reading 'name'\)\n\s+at / }, res: { statusCode: 500 } }, 'the error and its stack, from the app\'s own error handler')
    t.same(line.user, ADA, 'the user, from req.user')
  }
  t.equal(lines.length, 1 + profileLines.length, 'no other exception line')
}

t.teardown(() => rmSync(artifacts, { recursive: true, force: true }))

for (const major of [5, 4] as const) {
  t.test(`Express ${major}`, async (t) => {
    const listener = await startStatsdListener()
    t.teardown(() => listener.close())
    const app = project(major)
    const all = modes(app)
    // The three starts run side by side: each app has its own output, and its own metric prefix.
    const runs = await Promise.all(all.map(async ({ args, env, flood }, i): Promise<ExpressRun | Error> => {
      let cookie = ''
      const prefix = `x${major}${i}.`
      try {
        const run = await runRealApp(args, {
          SEED_PASSWORD: PASSWORD,
          API_TOKEN,
          SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
          STATSD_HOST: '127.0.0.1',
          STATSD_PORT: String(listener.port),
          VIGIE_STATSD_PREFIX: prefix,
          VIGIE_STATSD_MAX_BUFFER_SIZE: '0',
          VIGIE_PROCESS_METRICS: 'false',
          ...env,
        }, async (app) => { cookie = await drive(app, flood) })
        return { ...run, cookie, metrics: listener.lines.filter((line) => line.startsWith(prefix)) }
      } catch (error) {
        return error as Error
      }
    }))
    for (const [i, { mode, flood }] of all.entries()) {
      t.test(mode, async (t) => {
        const run = runs[i]!
        if (run instanceof Error) throw run
        t.test('statuses and bodies are the app\'s', async (t) => assertAnswers(t, run, flood))
        t.test('the correlation ID on every line written inside a request', async (t) => assertIdOnEveryLine(t, run, 1))
        t.test('no planted secret in any line', async (t) => assertSecretsKept(t, run))
        t.test('one exception line per failing request, up to the flood limit', async (t) => assertExceptions(t, run, flood, mode.includes('in code')))
      })
    }
  })
}
