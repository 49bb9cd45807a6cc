// The e-mail notifier against a real SMTP server (npm smtp-server, in this process, on a real
// socket) with AUTH, each mail parsed by mailparser: subject, body, sender and recipients, and no
// secret anywhere in it. Then a wrong password (535), and a server that never greets.
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { alertNotice, resolvedNotice } from '../helpers/alert-notices.ts'
import { dispatchHarness } from '../helpers/alert-dispatch-harness.ts'
import { startSmtp } from '../helpers/smtp-inbox.ts'
import { until } from '../helpers/until.ts'

const USER = 'alerts'
const PASSWORD = 'smtp-pass-S3cret!'
const startInbox = (t: Test) => startSmtp(t, { user: USER, password: PASSWORD })

t.test('a firing then a resolved notice, as mail through a real SMTP server with AUTH', async (t) => {
  const smtp = await startInbox(t)
  const { dispatch, log } = await dispatchHarness(t, {
    ticket: [{
      type: 'email',
      transport: { host: '127.0.0.1', port: smtp.port, secure: false, auth: { user: USER, pass: PASSWORD } },
      from: 'vigie <vigie@example.com>',
      to: ['ops@example.com', 'oncall@example.com'],
    }],
  })
  dispatch.notify(alertNotice())
  await until(() => smtp.received.length === 1)
  dispatch.notify(resolvedNotice())
  await until(() => smtp.received.length === 2)
  await dispatch.close()
  t.equal(smtp.received.length, 2, 'one mail each')
  const [firing, resolved] = smtp.received

  t.equal(firing!.mail.subject, 'vigie: [FIRING] slow-checkout (ticket)', 'the subject names the rule and its state')
  t.equal(resolved!.mail.subject, 'vigie: [RESOLVED] slow-checkout (ticket)')
  t.same(firing!.envelope, { from: 'vigie@example.com', to: ['ops@example.com', 'oncall@example.com'] })
  t.same(firing!.mail.from?.value, [{ address: 'vigie@example.com', name: 'vigie' }])
  t.same((Array.isArray(firing!.mail.to) ? firing!.mail.to : [firing!.mail.to]).flatMap((to) => to?.value.map((a) => a.address)), ['ops@example.com', 'oncall@example.com'])
  t.match(firing!.mail.text, 'p90 of http_request.response_time over 5m is 612.5 (above 500)')
  t.match(firing!.mail.text, 'Value: 612.5 (threshold 500)')
  t.match(firing!.mail.text, 'Labels: alertname="slow-checkout", severity="ticket", controller="/checkout"')
  t.match(firing!.mail.text, 'Started: 2026-12-03T07:00:00.000Z')
  t.match(resolved!.mail.text, 'Resolved: 2026-12-03T07:20:00.000Z')
  t.equal(firing!.mail.html, false, 'plain text')
  for (const { raw } of smtp.received) {
    t.notMatch(raw, PASSWORD, 'no password in the mail')
    t.notMatch(raw, Buffer.from(PASSWORD).toString('base64'), 'not even encoded')
  }
  t.same(smtp.logins, [USER, USER], 'logged in for each mail')
  t.same(log.lines, [])
})

t.test('an SMTP URL as transport works the same', async (t) => {
  const smtp = await startInbox(t)
  const { dispatch } = await dispatchHarness(t, {
    info: [{ type: 'email', transport: `smtp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`, from: 'vigie@example.com', to: 'ops@example.com' }],
  })
  dispatch.notify(alertNotice({ severity: 'info' }))
  await until(() => smtp.received.length === 1)
  t.equal(smtp.received[0]!.mail.subject, 'vigie: [FIRING] slow-checkout (info)')
  await dispatch.close()
  t.equal(smtp.received.length, 1, 'one mail')
})

t.test('a wrong password (535): retried, then logged once without the password, and counted', async (t) => {
  const smtp = await startInbox(t)
  const wrong = 'wrong-pass-S3cret?'
  const { dispatch, log, statsd } = await dispatchHarness(t, {
    page: [{ type: 'email', transport: `smtp://${USER}:${encodeURIComponent(wrong)}@127.0.0.1:${smtp.port}`, from: 'vigie@example.com', to: 'ops@example.com' }],
  })
  dispatch.notify(alertNotice({ severity: 'page' }))
  await until(() => log.lines.length === 1, 5000)
  t.equal(smtp.logins.length, 3, 'three attempts')
  t.same(smtp.received, [])
  t.match(log.lines[0], { level: 50, vigie: { notifier: { type: 'email', option: 'alerts.plans.page[0]' }, attempts: 3, error: { message: /535/ } } })
  for (const secret of [wrong, encodeURIComponent(wrong), `smtp://${USER}:`]) t.notMatch(log.text(), secret)
  await statsd.waitFor((lines) => lines.includes('alert.notification_failed:1|c|#type:email,severity:page'))
})

t.test('an SMTP server that never greets: each attempt ends at its time limit', async (t) => {
  const sockets = new Set<Socket>()
  const silent = createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1')
  await once(silent, 'listening')
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    silent.close()
    await once(silent, 'close')
  })
  const { port } = silent.address() as { port: number }
  const { dispatch, log } = await dispatchHarness(t, {
    page: [{ type: 'email', transport: { host: '127.0.0.1', port, auth: { user: USER, pass: PASSWORD } }, from: 'vigie@example.com', to: 'ops@example.com' }],
  }, { attemptTimeoutMs: 300 })
  const started = Date.now()
  dispatch.notify(alertNotice({ severity: 'page' }))
  await until(() => log.lines.length === 1, 5000)
  const took = Date.now() - started
  t.ok(took < 2500, `given up after three attempts of 300 ms (${took} ms)`)
  t.equal(log.lines[0]!.vigie.attempts, 3)
  t.notMatch(log.text(), PASSWORD)
  const closing = Date.now()
  await dispatch.close()
  t.ok(Date.now() - closing < 500, 'close() is quick once nothing is queued')
})
