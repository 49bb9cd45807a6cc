// The dashboard's Database section in real headless Chromium, for a Fastify app whose routes send
// queries through `pg` to a real PostgreSQL: the section appears with the queries' rate and
// percentiles, the slowest query first, every statement as a fingerprint with no literal value
// (in the page and in its data), and hostile identifiers rendered as text. Hidden with no query.
import { mkdirSync } from 'node:fs'
import pg from 'pg'
import t from 'tap'
import { chromiumContext, openDashboard } from '../helpers/chromium.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { CHROMIUM, needs } from '../helpers/system-packages.ts'

const SECRET = 'secret-value'
const HOSTILE_SCRIPT = '<script>window.__pwned=1</script>'
const HOSTILE_IMG = '<img src=x onerror=window.__pwned=2>'
const ARTIFACTS = new URL('../.artifacts/', import.meta.url)

t.test('no query at all: no Database section', needs(CHROMIUM), async (t) => {
  const { url } = await startApp(t, {
    vigie: { dashboard: true },
    routes (app) {
      app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }))
    },
  })
  for (let i = 0; i < 5; i++) await (await fetch(`${url}/items/${i}`)).arrayBuffer()
  const page = await (await chromiumContext(t)).newPage()
  const { problems } = await openDashboard(page, `${url}/_vigie`)
  t.equal(await page.textContent('#total-requests'), '5 requests', 'the rest of the page is drawn')
  t.equal(await page.isVisible('#database'), false, 'the section is hidden')
  const data = await (await fetch(`${url}/_vigie/data.json`)).json() as { database: { all: { queries: number }, slowestQueries: unknown[] } }
  t.equal(data.database.all.queries, 0)
  t.same(data.database.slowestQueries, [])
  t.same(problems, [])
})

t.test('queries through pg to PostgreSQL: rate, percentiles, the slowest first, fingerprints only, hostile text as text', needs(CHROMIUM), async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const database = await server.createDatabase('shop')
  const pool = new pg.Pool({ connectionString: database, max: 4 })
  t.teardown(() => pool.end())
  const { app, url } = await startApp(t, {
    vigie: { dashboard: true },
    routes (app) {
      app.get('/users/find', async () => {
        const { rows } = await pool.query(`SELECT id, name FROM users WHERE name = '${SECRET}'`)
        return rows
      })
      app.post('/users', async () => {
        await pool.query(`INSERT INTO users (name) VALUES ('${SECRET}')`)
        return { ok: true }
      })
      app.get('/report', async () => {
        const { rows } = await pool.query('SELECT pg_sleep(0.05), count(*) AS users FROM users')
        return rows[0]
      })
      app.get('/odd', async () => {
        const { rows } = await pool.query(`SELECT 1 AS "${HOSTILE_SCRIPT}", 2 AS "${HOSTILE_IMG}"`)
        return rows[0]
      })
      app.get('/broken', async () => {
        await pool.query('SELECT * FROM no_such_table')
      })
    },
  })
  // Once the app exists: a query sent outside a request is counted too (under controller none).
  await pool.query('CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL)')
  let sent = 1
  const hit = async (path: string, method = 'GET'): Promise<number> => {
    const response = await fetch(url + path, { method })
    await response.arrayBuffer()
    sent++
    return response.status
  }
  for (let i = 0; i < 4; i++) t.equal(await hit('/users', 'POST'), 200)
  for (let i = 0; i < 10; i++) t.equal(await hit('/users/find'), 200)
  for (let i = 0; i < 3; i++) t.equal(await hit('/report'), 200)
  t.equal(await hit('/odd'), 200)
  t.equal(await hit('/broken'), 500, 'the app gets its own error')

  const page = await (await chromiumContext(t)).newPage()
  await page.setViewportSize({ width: 1200, height: 900 })
  const { problems } = await openDashboard(page, `${url}/_vigie`)

  t.equal(await page.isVisible('#database'), true, 'the Database section is shown')
  t.match(await page.textContent('#db-rate'), /^\d+(\.\d+)? queries\/s$/)
  const figures = await page.$$eval('#db-rows tr', (rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)))
  t.equal(figures.length, 1, 'one system: one row')
  t.equal(figures[0]![0], 'PostgreSQL')
  t.equal(figures[0]![1], String(sent), `the ${sent} queries sent`)
  t.equal(figures[0]![3], '1', 'one failed')
  const [p50, p90, p99] = figures[0]!.slice(4).map(Number)
  t.ok(p50! > 0 && p50! <= p90! && p90! <= p99!, `p50 ${p50} ≤ p90 ${p90} ≤ p99 ${p99}`)
  t.ok(p99! >= 45, `p99 is a pg_sleep(0.05) (${p99} ms)`)

  const rows = await page.$$eval('#query-rows tr', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)))
  const statements = rows.map((cells) => cells[0])
  // On a busy machine the schema's statements can take longer in all than the sleeps: the order is
  // checked, not who comes first.
  const totals = rows.map((cells) => Number(cells[3]!.replace(/,/g, '')))
  t.same(totals, [...totals].sort((a, b) => b - a), 'the slowest by total time first')
  const sleeps = rows.find((cells) => cells[0] === 'SELECT pg_sleep(?), count(*) AS users FROM users')!
  t.same(sleeps.slice(1, 3), ['PostgreSQL', '3'])
  t.ok(Number(sleeps[3]!.replace(/,/g, '')) >= 150, `three pg_sleep(0.05): at least 150 ms in all (${sleeps[3]})`)
  t.ok(statements.includes('SELECT id, name FROM users WHERE name = ?'), 'the literal became ?')
  t.ok(statements.includes('INSERT INTO users(name) VALUES (?)'), 'whitespace normalised too')
  t.same(rows.find((cells) => cells[0] === 'CREATE TABLE users(id serial PRIMARY KEY, name text NOT NULL)')!.slice(6), ['0', '–'], 'the query sent outside a request; no rows said: –')
  const find = rows.find((cells) => cells[0] === 'SELECT id, name FROM users WHERE name = ?')!
  t.same([find[2], find[6], find[7]], ['10', '0', '40'], 'count, errors, rows: 10 finds of the 4 users inserted')
  const broken = rows.find((cells) => cells[0] === 'SELECT * FROM no_such_table')!
  t.equal(broken[6], '1', 'the failed query counts an error')
  const hostile = `SELECT ? AS "${HOSTILE_SCRIPT}", ? AS "${HOSTILE_IMG}"`
  t.ok(statements.includes(hostile), 'the hostile identifiers are shown as they are, as text')
  // Read in one step in the page: the table is redrawn every few seconds, and a cell found in one
  // step could be gone (no style) in the next.
  const font = await page.evaluate(() => window.getComputedStyle(document.querySelector('#query-rows td.statement')!).fontFamily)
  t.equal(font, 'ui-monospace, "SF Mono", Menlo, Consolas, monospace', 'in monospace')

  const seen = await page.evaluate(() => ({
    text: document.body.innerText,
    html: document.documentElement.outerHTML,
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    images: document.querySelectorAll('img').length,
    statementChildren: [...document.querySelectorAll('#query-rows td.statement')].map((cell) => cell.childElementCount),
    csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
  }))
  t.notOk(seen.text.includes(SECRET) || seen.html.includes(SECRET), `${SECRET} is nowhere in the page`)
  t.equal(seen.pwned, undefined, 'the hostile identifiers never ran')
  t.same(seen.scripts, ['_vigie/assets/uplot.iife.min.js', '_vigie/assets/dashboard.js'], 'no script element was added')
  t.equal(seen.images, 0, 'no img element was added')
  t.ok(seen.statementChildren.length >= 6 && seen.statementChildren.every((n) => n === 0), 'statement cells hold text only')
  t.same(seen.csp, [])
  t.same(problems, [])

  const json = await (await fetch(`${url}/_vigie/data.json`)).text()
  t.notOk(json.includes(SECRET), `${SECRET} is nowhere in data.json`)
  const data = JSON.parse(json) as { database: { all: { queries: number }, slowestQueries: Array<{ fingerprint: string }> } }
  t.equal(data.database.all.queries, sent)
  t.same(data.database.slowestQueries.map((q) => q.fingerprint), app.vigie.queries().queries.map((q) => q.fingerprint), 'what app.vigie.queries() lists')

  mkdirSync(ARTIFACTS, { recursive: true })
  const path = new URL('dashboard-database.png', ARTIFACTS)
  await page.screenshot({ path: path.pathname, fullPage: true })
  t.pass(`screenshot saved to ${path.pathname}`)
})

t.test('aggregation off: no figures, the slowest queries all the same', needs(CHROMIUM), async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const pool = new pg.Pool({ connectionString: await server.createDatabase('shop'), max: 2 })
  t.teardown(() => pool.end())
  const { url } = await startApp(t, {
    vigie: { dashboard: true, aggregation: false },
    routes (app) {
      app.get('/count', async () => (await pool.query(`SELECT count(*) FROM pg_class WHERE relname = '${SECRET}'`)).rows[0])
    },
  })
  for (let i = 0; i < 3; i++) await (await fetch(`${url}/count`)).arrayBuffer()
  const page = await (await chromiumContext(t)).newPage()
  const { problems } = await openDashboard(page, `${url}/_vigie`)
  t.equal(await page.isVisible('#notice'), true, 'the page says aggregation is off')
  t.equal(await page.isVisible('#database'), true)
  t.equal(await page.isVisible('#db-figures'), false, 'no figures without the aggregation')
  t.same(await page.$$eval('#query-rows tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 3).map((cell) => cell.textContent))), [
    ['SELECT count(*) FROM pg_class WHERE relname = ?', 'PostgreSQL', '3'],
  ])
  t.same(problems, [])
})
