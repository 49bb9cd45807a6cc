// vigie's promises on a Fastify 5 app built as real ones are (test/fixtures/real-apps/fastify):
// its logger on, an app-wide logger and a module-level pino instance used inside handlers,
// sessions, a real PostgreSQL whose failed INSERT puts the user's password hash into the error's
// message, and its own error handler. Started with `--import vigie/register`, with
// `-r vigie/register` and registering vigie in code, each in a child process driven over HTTP.
import { createRequire } from 'node:module'
import t, { type Test } from 'tap'
import { startPostgres } from '../helpers/postgres.ts'
import { answerOf, assertBurst, byName, assertIdOnEveryLine, assertNoSecret, exceptionLines, FLOOD_ENV, runRealApp, type AppRun, type Line, type RealApp } from '../helpers/real-app.ts'
import { startStatsdListener, type StatsdListener } from '../helpers/statsd-listener.ts'

const { hashPassword } = createRequire(import.meta.url)('../fixtures/real-apps/password-hash.cjs') as { hashPassword: (password: string) => string }

const fixture = 'test/fixtures/real-apps/fastify'
const PASSWORD = 'correct-horse-battery-staple-42'
const HASH = hashPassword(PASSWORD)
const API_TOKEN = 'api-7f3a9c2e51d84b06e2'
const ADA = { id: 1, username: 'ada', email: 'ada@example.com' }
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const MODES = [
  { mode: 'node --import vigie/register app.mjs', args: ['--import', 'vigie/register', `${fixture}/app.mjs`], env: {}, flood: false },
  { mode: 'node -r vigie/register app.cjs (the flood case)', args: ['-r', 'vigie/register', `${fixture}/app.cjs`], env: FLOOD_ENV, flood: true },
  { mode: 'app.register(vigie) in code, before the routes', args: [`${fixture}/app.mjs`], env: { VIGIE_IN_CODE: '1' }, flood: false },
] as const

interface FastifyRun extends AppRun {
  readonly cookie: string
  readonly metrics: string[]
}

function json (body: object, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }
}

async function drive (app: RealApp, flood: boolean): Promise<string> {
  await app.send('health', '/health')
  const login = await app.send('login', '/login', json({ email: ADA.email, password: PASSWORD }, { 'x-request-id': 'fy-login' }))
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
  const auth = { cookie, authorization: `Bearer ${API_TOKEN}` }
  await app.send('user', '/users/1', { headers: { cookie } })
  await app.send('missing user', '/users/999', { headers: auth })
  // A burst, side by side, as a flood comes: inside one interval of the flood case, unless the
  // machine is loaded. It comes first of the failures, so that the interval starts with it.
  await Promise.all(Array.from({ length: flood ? 8 : 2 }, (_, i) => app.send(`report ${i + 1}`, `/reports/${i + 1}`, { headers: auth })))
  const burstEnd = Date.now()
  await app.send('signup', '/users', json({ username: 'ada2', email: ADA.email, password: PASSWORD }, { ...auth, 'x-request-id': 'fy-signup' }))
  await app.send('unknown route', '/nope')
  // Summaries are written when their interval ends: at the latest one interval after the burst.
  if (flood) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, burstEnd + 1500 - Date.now())))
    await app.waitForOutput('"exception-summary"', 3000)
  }
  return cookie
}

const runs = new Map<string, FastifyRun | Error>()
let listener: StatsdListener

t.before(async () => {
  const postgres = await startPostgres()
  t.teardown(() => postgres.stop())
  listener = await startStatsdListener()
  t.teardown(() => listener.close())
  // One database each, created one after the other (createdb copies template1, alone).
  const urls: string[] = []
  for (let i = 0; i < MODES.length; i++) urls.push(await postgres.createDatabase(`app${i}`))
  await Promise.all(MODES.map(async ({ mode, args, env, flood }, i) => {
    let cookie = ''
    const prefix = `m${i}.`
    try {
      const run = await runRealApp([...args], {
        DATABASE_URL: urls[i]!,
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
      runs.set(mode, { ...run, cookie, metrics: listener.lines.filter((line) => line.startsWith(prefix)) })
    } catch (error) {
      runs.set(mode, error as Error)
    }
  }))
})

function assertAnswers (t: Test, run: FastifyRun, flood: boolean): void {
  const answer = (name: string): { status: number, body: unknown } => answerOf(run, name)
  t.same(answer('health'), { status: 200, body: { status: 'ok' } })
  t.same(answer('login'), { status: 200, body: { id: 1 } })
  t.match(run.cookie, /^sessionId=[^;]{20,}$/, 'the session cookie was set')
  t.same(answer('user'), { status: 200, body: ADA })
  t.same(answer('missing user'), { status: 404, body: { error: 'no such user' } })
  t.match(answer('signup'), { status: 500, body: { error: 'internal', requestId: /^req-/ } }, 'the app\'s error handler answered')
  for (let i = 1; i <= (flood ? 8 : 2); i++) t.match(answer(`report ${i}`), { status: 500, body: { error: 'internal' } })
  t.equal(byName(run, 'unknown route').status, 404)
  t.equal(byName(run, 'login').id, 'fy-login', 'a valid incoming ID is echoed')
  t.equal(byName(run, 'signup').id, 'fy-signup')
  for (const e of run.exchanges.filter((e) => !e.name.startsWith('login') && e.name !== 'signup')) t.match(e.id, UUID_V7, `${e.name}: a fresh ID`)
  t.same(run.nonJson, [], 'every stdout line is JSON')
}

function assertSecretsKept (t: Test, run: FastifyRun): void {
  const value = run.cookie.slice(run.cookie.indexOf('=') + 1)
  assertNoSecret(t, run, {
    password: PASSWORD,
    'bearer token': API_TOKEN,
    'session cookie': value,
    'session cookie, decoded': decodeURIComponent(value),
    'session ID': decodeURIComponent(value).split('.')[0]!,
    'bcrypt hash': HASH,
    'bcrypt salt and hash': HASH.slice('$2b$10$'.length),
  })
}

function assertExceptions (t: Test, run: FastifyRun, flood: boolean): void {
  const lines = exceptionLines(run)
  const reports = run.exchanges.filter((e) => e.name.startsWith('report'))
  const signup = lines.filter((line) => line.correlationId === 'fy-signup')
  t.equal(signup.length, 1, 'one line for the failed signup')
  t.match(signup[0], {
    level: 50,
    err: {
      type: 'Error',
      message: 'INSERT INTO users (username, email, password_hash) VALUES (\'ada2\', \'ada@example.com\', \'$2b$10$[REDACTED]\') RETURNING id - duplicate key value violates unique constraint "users_email_key"',
      stack: /^Error: INSERT INTO users .*'\$2b\$10\$\[REDACTED\]'.*\n\s+at /,
      code: '23505',
    },
    req: { method: 'POST', route: '/users', body: { username: 'ada2', email: ADA.email, password: '[REDACTED]' }, headers: { authorization: '[REDACTED]', cookie: 'sessionId=[REDACTED]' } },
    res: { statusCode: 500 },
  }, 'the SQL is kept, the hash in it masked')
  t.same(signup[0]?.user, ADA, 'the user is request.user\'s id, username and email, and nothing else')

  const reportLines = assertBurst(t, run, reports, { controller: '/reports/:id', errorType: 'TypeError', statusCode: 500 }, flood, run.metrics)
  for (const line of reportLines) {
    t.match(line, { err: { type: 'TypeError', stack: /^TypeError: Cannot read properties of undefined \(reading 'sum'\)\n\s+at / }, res: { statusCode: 500 } }, 'the error and its stack')
    t.same(line.user, ADA, 'the user, from request.user')
  }
  t.equal(lines.length, 1 + reportLines.length, 'no other exception line')
}

for (const { mode, flood } of MODES) {
  t.test(mode, async (t) => {
    const run = runs.get(mode)
    if (run instanceof Error || run === undefined) throw run ?? new Error('the app did not run')
    t.test('statuses and bodies are the app\'s', async (t) => assertAnswers(t, run, flood))
    if (mode.includes('-r vigie/register')) {
      // `-r` hooks `require`; this app is ESM, and its service module makes its logger from
      // `import pino`, which only `--import vigie/register` sees (docs/patch-all.md says so).
      const service = (line: Line): boolean => line.json.name === 'users-service'
      t.test('the correlation ID on every line written inside a request, but those of a logger made from `import pino`', async (t) => {
        assertIdOnEveryLine(t, { ...run, lines: run.lines.filter((line) => !service(line)) }, 1)
        const serviceLines = run.lines.filter(service)
        t.ok(serviceLines.length > 0, 'the service module wrote lines')
        t.same(serviceLines.filter((line) => line.json.correlationId !== undefined), [], 'and they carry no ID under -r')
      })
    } else {
      t.test('the correlation ID on every line written inside a request', async (t) => assertIdOnEveryLine(t, run, 2))
    }
    t.test('no planted secret in any line', async (t) => assertSecretsKept(t, run))
    t.test('one exception line per failing request, up to the flood limit', async (t) => assertExceptions(t, run, flood))
  })
}
