// The MariaDB fixture the database tests rely on: a real server, reachable over TCP by mysql2.
import mysql from 'mysql2/promise'
import t from 'tap'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { needs } from '../helpers/system-packages.ts'

t.test('a private server on 127.0.0.1 that the TCP user reaches; gone after stop()', needs(MARIADB_SERVER), async (t) => {
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  const connection = await mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database })
  const [rows] = await connection.query('SELECT DATABASE() AS name, 1 + 1 AS two')
  t.same(rows, [{ name: 'vigie', two: 2 }])
  await connection.end()
  await db.stop()
  await db.stop()
  await t.rejects(mysql.createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, connectTimeout: 2000 }), { code: 'ECONNREFUSED' })
})
