// The built package in child processes: pg loaded before or after vigie, through import (with
// --import vigie/register) or require (with patchAll()), is covered; two apps share one hook.
import t from 'tap'
import { runBuilt } from '../helpers/run-built.ts'
import { startPostgres } from '../helpers/postgres.ts'

const FIXTURES = 'test/fixtures/database'

t.test('pg loaded before or after vigie, ESM and CJS', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const env = { PG_URL: server.url('postgres'), STATSD_PORT: '9', VIGIE_PROCESS_METRICS: 'false' }
  for (const load of ['before', 'after']) {
    const esm = JSON.parse(runBuilt(['--import', 'vigie/register', `${FIXTURES}/pg-app.mjs`], { ...env, PG_LOAD: load }).trim().split('\n').at(-1) ?? '')
    t.same(esm.body, { id: 7 }, `ESM, pg ${load}: the query's result`)
    t.same(esm.first, { 'SELECT ok /pets/:id': 1, 'SELECT ok none': 1, 'OTHER error none': 1 }, `ESM, pg ${load}: the request's query under its route, once`)
    t.same(esm.second, { 'SELECT ok none': 1, 'OTHER error none': 1 }, `ESM, pg ${load}: the other app counts only what no request sent`)
    t.ok(esm.sameWrapper, 'two apps: the prototype is wrapped once')
    t.equal(esm.wrapped, 'query', 'the wrapper keeps the name')
    const cjs = JSON.parse(runBuilt([`${FIXTURES}/pg-app.cjs`], { ...env, PG_LOAD: load }).trim().split('\n').at(-1) ?? '')
    t.same(cjs, { body: { id: 7 }, first: { 'SELECT ok /pets/:id': 1, 'SELECT ok none': 1 } }, `CJS, pg ${load}`)
  }
})
