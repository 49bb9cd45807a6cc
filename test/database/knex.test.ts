// knex 3 on both drivers (client 'pg' on PostgreSQL, 'mysql2' on MariaDB), inside Fastify
// routes: a query builder select, a transaction that commits and one that rolls back. Each
// statement knex sends (BEGIN;, the INSERT, the SELECT, COMMIT; or ROLLBACK) is counted once
// under its route with its operation, and what knex returns is what it returns without vigie.
import knex, { type Knex } from 'knex'
import t from 'tap'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { queryCounts } from '../helpers/query-counts.ts'
import { needs } from '../helpers/system-packages.ts'

interface Item { id: number, name: string }

/** The routes, and what each run answers; `abort` throws inside the transaction. */
function routes (db: Knex) {
  return {
    list: async (): Promise<Item[]> => await db<Item>('items').select('id', 'name').where('id', '<', 100).orderBy('id'),
    add: async (id: number): Promise<Item | undefined> => await db.transaction(async (trx) => {
      await trx<Item>('items').insert({ id, name: `item ${id}` })
      return await trx<Item>('items').select('id', 'name').where({ id }).first()
    }),
    abort: async (id: number): Promise<string> => await db.transaction(async (trx) => {
      await trx<Item>('items').insert({ id, name: 'never' })
      const seen = await trx<Item>('items').select('id', 'name').where({ id }).first()
      throw new Error(`abort after seeing ${seen?.name}`)
    }).then(() => 'committed', (err: Error) => err.message),
  }
}

const clients = [
  {
    client: 'pg',
    system: 'postgresql',
    options: {},
    async connection (): Promise<{ config: Knex.Config['connection'], stop: () => Promise<void> }> {
      const server = await startPostgres()
      return { config: server.url('postgres'), stop: () => server.stop() }
    },
  },
  {
    client: 'mysql2',
    system: 'mysql',
    options: needs(MARIADB_SERVER),
    async connection (): Promise<{ config: Knex.Config['connection'], stop: () => Promise<void> }> {
      const db = await startMariaDb()
      return { config: { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }, stop: () => db.stop() }
    },
  },
] as const

for (const { client, system, options, connection } of clients) {
  t.test(`knex with client '${client}'`, options, async (t) => {
    const { config, stop } = await connection()
    t.teardown(stop)
    // `version` spares knex's own `select version()` on pg's first connection.
    const db = knex({ client, connection: config, pool: { min: 0, max: 2 }, ...(client === 'pg' ? { version: '15' } : {}) })
    t.teardown(() => db.destroy())
    await db.schema.createTable('items', (table) => { table.integer('id').primary(); table.string('name', 40) })
    await db<Item>('items').insert([{ id: 1, name: 'first' }, { id: 2, name: 'second' }])
    const run = routes(db)

    // Without vigie: what knex answers.
    const bare = { list: await run.list(), add: await run.add(3), abort: await run.abort(4) }
    t.same(bare, { list: [{ id: 1, name: 'first' }, { id: 2, name: 'second' }], add: { id: 3, name: 'item 3' }, abort: 'abort after seeing never' })
    await db('items').where({ id: 3 }).del()

    const { url, app } = await startApp(t, {
      routes (app) {
        app.get('/items', async () => await run.list())
        app.post('/items/:id', async (request) => await run.add(Number((request.params as { id: string }).id)))
        app.post('/items/:id/abort', async (request) => ({ outcome: await run.abort(Number((request.params as { id: string }).id)) }))
      },
    })
    const listed = await (await fetch(`${url}/items`)).json()
    const added = await (await fetch(`${url}/items/3`, { method: 'POST' })).json()
    const aborted = await (await fetch(`${url}/items/4/abort`, { method: 'POST' })).json()
    t.same({ list: listed, add: added, abort: aborted.outcome }, bare, 'the same answers with vigie')
    t.same(await db<Item>('items').select('id').orderBy('id'), [{ id: 1 }, { id: 2 }, { id: 3 }], 'committed and rolled back as without vigie')

    const counts = queryCounts(app.vigie.snapshot())
    t.same(counts, {
      [`${system} SELECT ok /items`]: 1,
      [`${system} BEGIN ok /items/:id`]: 1,
      [`${system} INSERT ok /items/:id`]: 1,
      [`${system} SELECT ok /items/:id`]: 1,
      [`${system} COMMIT ok /items/:id`]: 1,
      [`${system} BEGIN ok /items/:id/abort`]: 1,
      [`${system} INSERT ok /items/:id/abort`]: 1,
      [`${system} SELECT ok /items/:id/abort`]: 1,
      [`${system} ROLLBACK ok /items/:id/abort`]: 1,
      [`${system} SELECT ok none`]: 1,
    }, 'each statement knex sent, once, under its route (and the check above, outside a request, under none)')
    const q = client === 'pg' ? '"' : '`'
    const { queries } = app.vigie.queries()
    const insert = queries.find((query) => query.fingerprint === `INSERT INTO ${q}items${q}(${q}id${q}, ${q}name${q}) VALUES (?, ?)`)
    t.match(insert, { system, count: 2, errors: 0, rows: 2 }, 'both transactions\' inserts under one fingerprint, without their values')
    t.match(queries.find((query) => query.fingerprint === 'BEGIN'), { count: 2 })
  })
}
