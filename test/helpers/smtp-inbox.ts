import { once } from 'node:events'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import type { Test } from 'tap'

export interface Received {
  readonly mail: ParsedMail
  readonly raw: string
  readonly envelope: { from: string, to: string[] }
}

/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1:0, in this process, that keeps every mail
 * parsed by mailparser. With `auth`, it asks for a login and accepts only that one. Closed with
 * the test.
 */
export async function startSmtp (t: Test, auth?: { user: string, password: string }): Promise<{ port: number, received: Received[], logins: string[] }> {
  const received: Received[] = []
  const logins: string[] = []
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: auth === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth (login, _session, callback) {
      logins.push(login.username ?? '')
      if (auth !== undefined && login.username === auth.user && login.password === auth.password) callback(null, { user: auth.user })
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
    },
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        simpleParser(raw).then((mail) => {
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address
          received.push({ mail, raw: raw.toString('utf8'), envelope: { from, to: session.envelope.rcptTo.map((to) => to.address) } })
          callback()
        }, callback)
      })
    },
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { port: (server.server.address() as { port: number }).port, received, logins }
}
