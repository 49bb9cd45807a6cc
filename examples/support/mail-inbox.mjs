// A real SMTP server (npm smtp-server) on 127.0.0.1, standing in for the team's mail relay: it
// keeps every message it is sent, parsed by mailparser.
import { once } from 'node:events'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** @returns {Promise<{ port: number, mails: Array<{ to: string[], subject: string, text: string }>, close(): Promise<void> }>} */
export async function startMailInbox () {
  const mails = []
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData (stream, session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push({ to: session.envelope.rcptTo.map((to) => to.address), subject: mail.subject ?? '', text: mail.text ?? '' })
        callback()
      }, callback)
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  return {
    port: server.server.address().port,
    mails,
    close: () => new Promise((resolve) => server.close(resolve))
  }
}
