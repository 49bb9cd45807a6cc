import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// A child process, so that what vigie writes to stdout can be read as a user would see it.
t.test('an app without a logger still gets its exception lines, as JSON on stdout', async (t) => {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import Fastify from 'fastify'
    import observability from 'vigie'
    const app = Fastify()
    await app.register(observability, { statsd: { port: 9 } })
    app.get('/', async () => { throw new Error('card 4111-1111-1111-1111 refused') })
    await app.inject('/')
    await app.close()
  `], { cwd: root, encoding: 'utf8' })
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line))
  t.equal(lines.length, 1)
  t.equal(lines[0].level, 50)
  t.equal(lines[0].msg, 'exception: Error: card ****-****-****-1111 refused')
  t.equal(lines[0].res.statusCode, 500)
})
