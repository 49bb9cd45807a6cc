// patchAll() with Express 4. This repository installs Express 4 under the alias `express4`, but
// patchAll() looks for a module named `express`, as apps have it: so the test copies Express 4
// into a scratch project as node_modules/express and runs an app from there (vigie resolves to
// this package's build through its own name).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { runBuiltOutput } from '../helpers/run-built.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const project = `${root}test/.artifacts/express4-project`

t.test('Express 4, CommonJS: patchAll() instruments an app it never saw, with mount patterns', async (t) => {
  rmSync(project, { recursive: true, force: true })
  mkdirSync(`${project}/node_modules`, { recursive: true })
  cpSync(`${root}node_modules/express4`, `${project}/node_modules/express`, { recursive: true, dereference: true })
  writeFileSync(`${project}/app.cjs`, `
    const { patchAll } = require('vigie')
    const unpatch = patchAll({ statsd: { port: Number(process.env.STATSD_PORT) } })
    const express = require('express')
    const app = express()
    const posts = express.Router()
    posts.get('/:pid', (req, res) => res.json({ id: req.correlationId, version: require('express/package.json').version }))
    app.use('/users/:uid/posts', posts)
    const server = app.listen(0, '127.0.0.1', async () => {
      const response = await fetch('http://127.0.0.1:' + server.address().port + '/users/42/posts/7', { headers: { 'x-request-id': 'v4-1' } })
      const body = await response.json()
      server.close()
      await unpatch()
      console.log(JSON.stringify(body))
    })
  `)
  t.teardown(() => rmSync(project, { recursive: true, force: true }))
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { stdout } = runBuiltOutput([`${project}/app.cjs`], { STATSD_HOST: '127.0.0.1', STATSD_PORT: String(listener.port) })
  const body = JSON.parse(stdout.trim().split('\n').at(-1)!)
  t.match(body, { id: 'v4-1', version: /^4\./ })
  await listener.waitFor((lines) => lines.some((l) => l.includes('|c|')))
  t.same(listener.lines.filter((l) => l.includes('|c|')), ['http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/users/:uid/posts/:pid'])
})
