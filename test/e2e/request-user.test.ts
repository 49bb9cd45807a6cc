// The user in exception lines by default: `request.user` as passport, @fastify/jwt and
// @fastify/passport set it, reduced to id, username and email; `getUser` replaces the default
// and `getUser: false` turns it off. A real Fastify server and real Express apps (4 and 5).
import type { Express } from 'express'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { VigieOptions } from '../../lib/types.ts'
import { EXPRESS_VERSIONS, exceptionLines, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import type { LogSink } from '../helpers/log-sink.ts'

const HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI3In0.c2lnbmF0dXJlLW9mLWFkYQ'

/** What a login middleware leaves on the request. */
function loggedIn (): object {
  return { id: 7, username: 'ada', email: 'ada@example.com', passwordHash: HASH, token: TOKEN, roles: ['admin'] }
}

/** A user whose `id` cannot be read (a detached ORM row, a revoked proxy). */
function unreadable (): object {
  return { get id (): never { throw new Error('row detached') }, username: 'ada' }
}

type Start = (t: Test, user: () => object, vigie?: VigieOptions<any>) => Promise<{ url: string, logs: LogSink }>

const startFastify: Start = async (t, user, vigie = {}) => startApp(t, {
  vigie,
  routes: (app: FastifyInstance) => {
    app.decorateRequest('user', null)
    app.addHook('preHandler', async (request) => { (request as unknown as { user: object }).user = user() })
    app.get('/orders/:id', async () => { throw new Error('orders table is locked') })
  },
})

function startExpress (express: (typeof EXPRESS_VERSIONS)[number][1]): Start {
  return async (t, user, vigie = {}) => startExpressApp(t, express, {
    vigie,
    routes: (app: Express) => {
      app.use((req, _res, next) => { (req as unknown as { user: object }).user = user(); next() })
      app.get('/orders/:id', () => { throw new Error('orders table is locked') })
    },
  })
}

async function failOnce (t: Test, url: string, logs: LogSink): Promise<Record<string, any>> {
  t.equal((await fetch(`${url}/orders/9`)).status, 500)
  const lines = exceptionLines(logs)
  t.equal(lines.length, 1, 'one exception line')
  return lines[0]!
}

function suite (start: Start): (t: Test) => Promise<void> {
  return async (t) => {
    t.test('by default: request.user\'s id, username and email, nothing else', async (t) => {
      const { url, logs } = await start(t, loggedIn)
      const line = await failOnce(t, url, logs)
      t.same(line.user, { id: 7, username: 'ada', email: 'ada@example.com' })
      t.notOk(logs.text().includes(HASH), 'no password hash in any line')
      t.notOk(logs.text().includes(TOKEN), 'no token in any line')
      t.notOk(logs.text().includes('admin'), 'no roles')
    })

    t.test('getUser: false: no user key', async (t) => {
      const { url, logs } = await start(t, loggedIn, { getUser: false })
      t.notOk('user' in await failOnce(t, url, logs))
    })

    t.test('a getUser function replaces the default', async (t) => {
      const { url, logs } = await start(t, loggedIn, { getUser: (request: { user: { id: number, roles: string[] } }) => ({ account: request.user.id, roles: request.user.roles }) })
      t.same((await failOnce(t, url, logs)).user, { account: 7, roles: ['admin'] })
    })

    t.test('a user whose properties throw: the line without user, and one warning', async (t) => {
      const { url, logs } = await start(t, unreadable)
      const line = await failOnce(t, url, logs)
      t.notOk('user' in line)
      t.equal(line.err.message, 'orders table is locked')
      t.equal((await fetch(`${url}/orders/9`)).status, 500, 'the next request is served too')
      const warnings = logs.lines.filter((l) => l.msg === 'vigie: getUser failed; the app was not affected')
      t.match(warnings, [{ level: 40, vigie: { subsystem: 'getUser' }, err: { message: 'row detached' } }], 'reported once')
    })
  }
}

t.test('Fastify', suite(startFastify))
for (const [name, express] of EXPRESS_VERSIONS) t.test(name, suite(startExpress(express)))
