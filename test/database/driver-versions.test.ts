// Which mysql2 versions publish channels, and what happens when a driver's internals moved.
import t from 'tap'
import { mysql2HasChannels } from '../../lib/database/mysql2-channels.ts'
import { wrapLegacyMysql2 } from '../../lib/database/mysql2-legacy-hook.ts'
import { wrapPgQuery } from '../../lib/database/pg-hook.ts'
import { addQueryObserver, reportOldDriver } from '../../lib/database/query-observers.ts'

t.test('mysql2 publishes its TracingChannels from 3.20 on', async (t) => {
  for (const version of ['3.20.0', '3.24.6', '4.0.0']) t.ok(mysql2HasChannels(version), version)
  for (const version of ['3.19.1', '3.0.0', '2.3.3']) t.notOk(mysql2HasChannels(version), version)
})

t.test('internals that moved: nothing is wrapped, and the warning names the version needed', async (t) => {
  const restores: Array<() => void> = []
  t.notOk(wrapLegacyMysql2(class Connection {}, restores), 'no query/execute on the class')
  t.notOk(wrapLegacyMysql2(null, restores))
  t.equal(restores.length, 0)
  const warnings: string[] = []
  const remove = addQueryObserver(() => {}, (key, message) => warnings.push(`${key}: ${message}`))
  t.teardown(remove)
  reportOldDriver('mysql2', '3.11.0', '3.20.0')
  t.same(warnings, ['database-old:mysql2: vigie: mysql2 3.11.0 is loaded; its queries are not counted: vigie needs mysql2 3.20.0 or later'])
})

t.test('a wrapped pg query method is wrapped once, keeps its name, and is put back', async (t) => {
  const original = function query (): string { return 'result' }
  const prototype: Record<string, unknown> = { query: original }
  const unwrap = wrapPgQuery(prototype)
  const wrapped = prototype.query as () => string
  t.not(wrapped, original)
  t.equal(wrapped.name, 'query')
  t.equal(wrapPgQuery(prototype)(), undefined, 'a second wrap is a no-op')
  t.equal(prototype.query, wrapped)
  t.equal(wrapped(), 'result', 'without observers it calls straight through')
  unwrap()
  t.equal(prototype.query, original)
})
