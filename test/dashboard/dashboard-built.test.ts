// The page and uPlot are embedded at build time (scripts/embed-dashboard-assets.mjs): both built
// copies of the package serve them, with nothing read from disk at run time.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import t from 'tap'
import { runBuilt } from './../helpers/run-built.ts'

const uplotJs = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
const script = (load: string): string => `
  ${load}
  const app = Fastify()
  await app.register(observability, { dashboard: true, statsd: { port: 9 } })
  const get = (url) => app.inject(url)
  const [page, uplot, own, data] = await Promise.all([get('/_vigie'), get('/_vigie/assets/uplot.iife.min.js'), get('/_vigie/assets/dashboard.js'), get('/_vigie/data.json')])
  await app.close()
  console.log(JSON.stringify({ page: page.statusCode, html: page.body.includes('_vigie/assets/dashboard.js'), uplot: uplot.body, own: own.body.length, data: JSON.parse(data.body).version }))
`

for (const [name, args] of [
  ['ESM (import)', ['--input-type=module', '-e', script("import Fastify from 'fastify'\n  import observability from 'vigie'")]],
  ['CommonJS (require)', ['--input-type=module', '-e', script("import { createRequire } from 'node:module'\n  const require = createRequire(process.cwd() + '/')\n  const Fastify = require('fastify')\n  const observability = require('vigie')")]],
] as const) {
  t.test(`${name}: the built package serves the page, uPlot and the data`, async (t) => {
    const out = JSON.parse(runBuilt([...args]))
    t.equal(out.page, 200)
    t.ok(out.html, 'the page refers to its script')
    t.ok(out.uplot.endsWith(uplotJs), 'uPlot\'s own build, byte for byte, after the licence notice')
    t.match(out.uplot, /^\/\*!\n \* uPlot v[\d.]+, https:\/\/github\.com\/leeoniya\/uPlot\n \*\n \* The MIT License \(MIT\)/)
    t.ok(out.own > 1000, 'dashboard.js')
    t.equal(out.data, 1)
  })
}
