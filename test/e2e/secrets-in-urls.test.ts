import t, { type Test } from 'tap'
import { EXPRESS_VERSIONS, exceptionLines, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import type { LogSink } from '../helpers/log-sink.ts'
import { rawRequest } from '../helpers/raw-http.ts'

// Secrets a request carries in its target rather than in a field: a secret route param, a
// percent-encoded credential in the path, and userinfo in an absolute-form target. None may
// reach a log line, the exception line's req.url or its repro, on either framework.

const TOKEN = 'reset-9f8e7d6c5b4a'
const GITHUB_TOKEN = 'ghp_' + 'aB3'.repeat(12)
const SECRETS = [TOKEN, 'Tok3nValue', GITHUB_TOKEN.slice(4), 'PASSWORD123', '4111%201111%201111%201111', '4111 1111 1111 1111']

const REQUESTS: Array<[string, string, RegExp]> = [
  ['a secret route param', `/reset/${TOKEN}`, /\/reset\/\[REDACTED\]$/],
  ['a bearer credential, percent-encoded, in the path', '/files/Bearer%20Tok3nValue', /\/files\/Bearer%20\[REDACTED\]$/],
  ['a provider token in the path', `/files/${GITHUB_TOKEN}`, /\/files\/ghp_\[REDACTED\]$/],
  ['a card, percent-encoded, in the path', '/files/4111%201111%201111%201111', /\/files\/\*{4}%20\*{4}%20\*{4}%201111$/],
]

async function assertNoLeak (t: Test, url: string, logs: LogSink): Promise<void> {
  for (const [name, path] of REQUESTS) {
    const res = await fetch(`${url}${path}`)
    t.equal(res.status, 500, name)
  }
  // An absolute-form target with userinfo (a proxy-style request line), sent raw.
  const raw = await rawRequest(url, 'GET http://bob:PASSWORD123@127.0.0.1/files/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
  t.match(raw, /^HTTP\/1\.1 500/, 'an absolute-form target')
  await new Promise((resolve) => setTimeout(resolve, 50))
  const lines = exceptionLines(logs)
  t.equal(lines.length, REQUESTS.length + 1, 'one exception line per request')
  for (const [i, [name, , expected]] of REQUESTS.entries()) {
    t.match(lines[i]!.req.url, expected, `${name}: req.url`)
    t.ok(String(lines[i]!.repro).includes(lines[i]!.req.url), `${name}: the repro requests the scrubbed URL`)
  }
  t.equal(lines[REQUESTS.length]!.req.url, 'http://bob:[REDACTED]@127.0.0.1/files/x', 'the absolute-form target is the URL, its password masked')
  const everything = logs.lines.map((line) => JSON.stringify(line)).join('\n')
  for (const secret of SECRETS) t.notOk(everything.includes(secret), `${secret} in no log line`)
}

t.test('Fastify', async (t) => {
  const { url, logs } = await startApp(t, {
    routes: (app) => {
      app.get('/reset/:token', async () => { throw new Error('reset failed') })
      app.get('/files/*', async () => { throw new Error('read failed') })
    },
  })
  await assertNoLeak(t, url, logs)
})

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    const { url, logs } = await startExpressApp(t, express, {
      routes: (app) => {
        app.get('/reset/:token', () => { throw new Error('reset failed') })
        app.use('/files', () => { throw new Error('read failed') })
      },
    })
    await assertNoLeak(t, url, logs)
  })
}
