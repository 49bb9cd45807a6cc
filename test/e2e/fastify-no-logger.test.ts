import t from 'tap'
import { runBuilt } from '../helpers/run-built.ts'

// A child process, so that what vigie writes to stdout can be read as a user would see it.
t.test('an app without a logger still gets its exception lines, as JSON on stdout', async (t) => {
  const stdout = runBuilt(['--input-type=module', '-e', `
    import Fastify from 'fastify'
    import observability from 'vigie'
    const app = Fastify()
    await app.register(observability, { statsd: { port: 9 } })
    app.get('/', async () => { throw new Error('card 4111-1111-1111-1111 refused') })
    await app.inject('/')
    await app.close()
  `])
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line))
  t.equal(lines.length, 1)
  t.equal(lines[0].level, 50)
  t.equal(lines[0].msg, 'exception: Error: card ****-****-****-1111 refused')
  t.equal(lines[0].res.statusCode, 500)
})
