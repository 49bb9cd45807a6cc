// mysql2 3.19 publishes no TracingChannel: vigie wraps its query and execute instead, on a real
// MariaDB, with every call shape kept.
import { createRequire } from 'node:module'
import t from 'tap'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { needs } from '../helpers/system-packages.ts'

// Installed as `mysql2-legacy` (npm:mysql2@3.19.1): its package.json says mysql2 3.19.1.
const require = createRequire(import.meta.url)
const mysql = require('mysql2-legacy') as typeof import('mysql2')
const mysqlPromise = require('mysql2-legacy/promise') as typeof import('mysql2/promise')

const count = (lines: string[], prefix: string): number => lines.filter((line) => line.startsWith(prefix)).length

t.test('mysql2 3.19: query, execute, pool and promise wrapper counted through the wrapper', needs(MARIADB_SERVER), async (t) => {
  t.equal((require('mysql2-legacy/package.json') as { version: string }).version, '3.19.1')
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  const config = { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }
  const pool = mysqlPromise.createPool({ ...config, connectionLimit: 2 })
  t.teardown(() => pool.end())
  const { url, statsd } = await startApp(t, {
    routes (app) {
      app.get('/orders/:id', async (request) => {
        const [rows] = await pool.execute('SELECT ? + 1 AS n', [Number((request.params as { id: string }).id)])
        return rows
      })
      app.get('/stock', async () => {
        const [rows] = await pool.query('SELECT 10 AS stock')
        return rows
      })
    },
  })
  const connection = mysql.createConnection(config)
  t.teardown(() => new Promise((resolve) => connection.end(() => resolve(undefined))))
  const viaCallback = await new Promise((resolve, reject) => connection.query('SELECT 1 AS one', (err, res) => err ? reject(err) : resolve(res)))
  t.same(viaCallback, [{ one: 1 }])
  const failed = await new Promise((resolve) => connection.execute('SELEC ?', [1], (err) => resolve(err)))
  t.equal((failed as { code?: string }).code, 'ER_PARSE_ERROR', 'mysql2\'s own error')
  // The event form: no callback, rows and end events.
  const streamed: unknown[] = []
  await new Promise((resolve, reject) => connection.query('SELECT 2 AS two').on('result', (row) => streamed.push(row)).on('error', reject).on('end', resolve))
  t.same(streamed, [{ two: 2 }])
  const answers = await Promise.all([1, 2, 3, 4].map(async (i) => await (await fetch(i % 2 === 0 ? `${url}/orders/${i}` : `${url}/stock`)).json()))
  t.same(answers, [[{ stock: 10 }], [{ n: 3 }], [{ stock: 10 }], [{ n: 5 }]])

  const tag = 'db.query:1|c|#db_system:mysql'
  await statsd.waitFor((lines) => count(lines, `${tag},db_operation:SELECT,outcome:ok,controller:/orders/:id`) === 2 &&
    count(lines, `${tag},db_operation:SELECT,outcome:ok,controller:/stock`) === 2)
  t.equal(count(statsd.lines, `${tag},db_operation:SELECT,outcome:ok,controller:none`), 2, 'callback and event forms outside a request')
  t.equal(count(statsd.lines, `${tag},db_operation:OTHER,outcome:error,controller:none`), 1, 'the failed execute, once')
})
