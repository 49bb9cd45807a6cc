// alerts.plans is checked at startup: each bad field is a coded error naming it, secrets are
// described and never shown, and an e-mail notifier without nodemailer installed is refused
// with VIGIE_ERR_MISSING_DEPENDENCY, in a real process where nodemailer cannot be found.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { GITHUB_API_URL, PAGERDUTY_EVENTS_URL, resolvePlans } from '../../lib/options/resolve-plans.ts'
import { ERROR_CODES, invalidOption, type VigieError } from '../../lib/errors.ts'
import { root, WITHOUT_TAP } from '../helpers/run-built.ts'

const SECRET = 'T0SECRET/B0SECRET/xoxbsecretvalue123'
const SLACK_URL = `https://hooks.slack.com/services/${SECRET}`

function refused (t: Test, plans: unknown, load?: () => unknown): VigieError {
  const err = t.throws(() => resolvePlans(plans, invalidOption, load), { name: 'VigieError' }) as VigieError
  t.notMatch(err.message, 'SECRET', 'no secret in the message')
  t.notMatch(err.message, 'hunter2', 'no password in the message')
  return err
}

function refusedAs (t: Test, plans: unknown, code: string, option: string): VigieError {
  const err = refused(t, plans)
  t.same([err.code, err.option], [code, option], option)
  return err
}

t.test('no plan, or empty ones: every severity gets nothing beyond the log line', async (t) => {
  for (const plans of [undefined, null, {}, { page: [] }, { page: null, ticket: undefined }]) {
    t.same(resolvePlans(plans, invalidOption), { page: [], ticket: [], info: [] }, JSON.stringify(plans))
  }
})

t.test('a full plan is kept, with its defaults, frozen', async (t) => {
  const plans = resolvePlans({
    page: [{ type: 'pagerduty', routingKey: 'R0UT1NGKEY' }, { type: 'slack', webhookUrl: SLACK_URL }],
    ticket: [{ type: 'github', repo: 'acme/shop', token: 'ghp_x', apiUrl: 'http://127.0.0.1:9/api/v3/' }, { type: 'log' }],
    info: [
      { type: 'webhook', url: 'http://127.0.0.1:9093/hook', headers: { Authorization: 'Bearer x' } },
      { type: 'email', transport: { host: '127.0.0.1', port: 25 }, from: 'vigie@example.com', to: 'ops@example.com' },
    ],
  }, invalidOption, () => ({ createTransport () {} }))
  t.same(plans.page, [
    { option: 'alerts.plans.page[0]', severity: 'page', type: 'pagerduty', routingKey: 'R0UT1NGKEY', url: PAGERDUTY_EVENTS_URL },
    { option: 'alerts.plans.page[1]', severity: 'page', type: 'slack', webhookUrl: SLACK_URL },
  ])
  t.same(plans.ticket, [
    { option: 'alerts.plans.ticket[0]', severity: 'ticket', type: 'github', repo: 'acme/shop', token: 'ghp_x', apiUrl: 'http://127.0.0.1:9/api/v3' },
    { option: 'alerts.plans.ticket[1]', severity: 'ticket', type: 'log' },
  ])
  t.same(plans.info[0], { option: 'alerts.plans.info[0]', severity: 'info', type: 'webhook', url: 'http://127.0.0.1:9093/hook', headers: { authorization: 'Bearer x' } })
  t.same(plans.info[1], { option: 'alerts.plans.info[1]', severity: 'info', type: 'email', transport: { host: '127.0.0.1', port: 25 }, from: 'vigie@example.com', to: ['ops@example.com'] })
  t.ok(Object.isFrozen(plans) && Object.isFrozen(plans.page) && Object.isFrozen(plans.page[0]), 'frozen')
  const github = resolvePlans({ ticket: [{ type: 'github', repo: 'a/b', token: 't' }] }, invalidOption).ticket[0] as { apiUrl: string }
  t.equal(github.apiUrl, GITHUB_API_URL, 'GitHub\'s API by default')
})

t.test('the shape of alerts.plans', async (t) => {
  refusedAs(t, 'slack', ERROR_CODES.INVALID_OPTION, 'alerts.plans')
  refusedAs(t, [], ERROR_CODES.INVALID_OPTION, 'alerts.plans')
  const unknown = refusedAs(t, { critical: [] }, ERROR_CODES.UNKNOWN_OPTION, 'alerts.plans.critical')
  t.equal(unknown.message, 'vigie: unknown option "alerts.plans.critical"; known options here are "alerts.plans.page", "alerts.plans.ticket", "alerts.plans.info"')
  refusedAs(t, { page: { type: 'log' } }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page')
  refusedAs(t, { page: ['log'] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0]')
  const type = refusedAs(t, { info: [{ type: 'log' }, { type: 'sms' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.info[1].type')
  t.equal(type.message, 'vigie: option "alerts.plans.info[1].type" must be one of "log", "webhook", "slack", "email", "pagerduty", "github"; received "sms" (string)')
  refusedAs(t, { info: [{}] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.info[0].type')
  const typo = refusedAs(t, { page: [{ type: 'slack', url: SLACK_URL }] }, ERROR_CODES.UNKNOWN_OPTION, 'alerts.plans.page[0].url')
  t.match(typo.message, '"alerts.plans.page[0].webhookUrl"', 'the known fields are listed')
})

t.test('webhook and Slack: an absolute http(s) URL, never shown', async (t) => {
  const missing = refusedAs(t, { page: [{ type: 'webhook' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].url')
  t.equal(missing.message, 'vigie: option "alerts.plans.page[0].url" must be an absolute http: or https: URL; received undefined')
  for (const url of ['not a url SECRET', `ftp://example.com/${SECRET}`, `/relative/${SECRET}`, 42]) {
    refusedAs(t, { page: [{ type: 'webhook', url }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].url')
  }
  const shown = refused(t, { ticket: [{ type: 'slack', webhookUrl: `hooks.slack.com/services/${SECRET}` }] })
  t.same([shown.option, shown.message], ['alerts.plans.ticket[0].webhookUrl',
    'vigie: option "alerts.plans.ticket[0].webhookUrl" must be an absolute http: or https: URL; received a string of 61 characters (not shown)'])
  const credentials = refusedAs(t, { page: [{ type: 'webhook', url: 'https://user:SECRET@hooks.example.com/x' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].url')
  t.match(credentials.message, 'must be a URL without credentials (give a webhook `headers: { authorization }`)')
  refusedAs(t, { page: [{ type: 'slack' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].webhookUrl')
  refusedAs(t, { page: [{ type: 'webhook', url: 'http://x', headers: 'Bearer SECRET' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].headers')
  refusedAs(t, { page: [{ type: 'webhook', url: 'http://x', headers: { 'bad name': 'x' } }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].headers.bad name')
  const value = refusedAs(t, { page: [{ type: 'webhook', url: 'http://x', headers: { authorization: 'SECRET\r\nx-evil: 1' } }] },
    ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].headers.authorization')
  t.match(value.message, /received a string of \d+ characters \(not shown\)/)
})

t.test('PagerDuty and GitHub: their keys and tokens, never shown; a repo as owner/name', async (t) => {
  refusedAs(t, { page: [{ type: 'pagerduty' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].routingKey')
  refusedAs(t, { page: [{ type: 'pagerduty', routingKey: '' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].routingKey')
  const spaced = refusedAs(t, { page: [{ type: 'pagerduty', routingKey: 'SECRET key' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].routingKey')
  t.match(spaced.message, 'a string of 10 characters (not shown)')
  refusedAs(t, { page: [{ type: 'pagerduty', routingKey: 'k', url: 'events.pagerduty.com' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.page[0].url')

  for (const repo of ['shop', 'acme/shop/extra', 'acme/', '/shop', 'acme shop/x', undefined]) {
    const err = refusedAs(t, { ticket: [{ type: 'github', repo, token: 't' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.ticket[0].repo')
    t.match(err.message, 'must be a repository as "owner/name"')
  }
  refusedAs(t, { ticket: [{ type: 'github', repo: 'a/b' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.ticket[0].token')
  refusedAs(t, { ticket: [{ type: 'github', repo: 'a/b', token: 'ghp_SECRET x' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.ticket[0].token')
  refusedAs(t, { ticket: [{ type: 'github', repo: 'a/b', token: 't', apiUrl: 'api.github.com' }] }, ERROR_CODES.INVALID_OPTION, 'alerts.plans.ticket[0].apiUrl')
})

t.test('e-mail: a transport, from and to; an SMTP URL is never shown', async (t) => {
  const load = (): unknown => ({ createTransport () {} })
  const email = (changes: Record<string, unknown>): unknown => ({ info: [{ type: 'email', transport: 'smtp://127.0.0.1:25', from: 'a@b.c', to: 'd@e.f', ...changes }] })
  t.equal(resolvePlans(email({ to: ['d@e.f', 'Ops <ops@e.f>'] }), invalidOption, load).info.length, 1, 'a list of addresses')
  t.equal(refused(t, email({ transport: undefined }), load).option, 'alerts.plans.info[0].transport')
  const url = refused(t, email({ transport: 'http://user:hunter2@mail.example.com' }), load)
  t.same([url.option, url.message], ['alerts.plans.info[0].transport',
    'vigie: option "alerts.plans.info[0].transport" must be a nodemailer transport: an SMTP URL ("smtp://…", "smtps://…") or an options object ({ host, port, auth }); received a string of 36 characters (not shown)'])
  t.equal(refused(t, email({ from: undefined }), load).option, 'alerts.plans.info[0].from')
  t.equal(refused(t, email({ from: 'vigie' }), load).option, 'alerts.plans.info[0].from', 'no @')
  t.equal(refused(t, email({ from: 'a@b.c\r\nBcc: x@y.z' }), load).option, 'alerts.plans.info[0].from', 'no line break (header injection)')
  t.equal(refused(t, email({ to: undefined }), load).option, 'alerts.plans.info[0].to')
  t.equal(refused(t, email({ to: [] }), load).option, 'alerts.plans.info[0].to')
  t.equal(refused(t, email({ to: ['a@b.c', 'nobody'] }), load).option, 'alerts.plans.info[0].to[1]')
})

t.test('e-mail: nodemailer is loaded only when an e-mail notifier is configured, and its absence is a coded error', async (t) => {
  let loads = 0
  const missing = (): unknown => {
    loads++
    throw Object.assign(new Error("Cannot find module 'nodemailer'"), { code: 'MODULE_NOT_FOUND' })
  }
  resolvePlans({ page: [{ type: 'slack', webhookUrl: SLACK_URL }] }, invalidOption, missing)
  t.equal(loads, 0, 'no e-mail notifier: not loaded')
  const err = refused(t, { page: [{ type: 'log' }, { type: 'email', transport: 'smtps://u:hunter2@mail.example.com', from: 'a@b.c', to: 'd@e.f' }] }, missing)
  t.same([err.code, err.option, err.options], [ERROR_CODES.MISSING_DEPENDENCY, 'alerts.plans.page[1]', ['alerts.plans.page[1]']])
  t.equal(err.message, 'vigie: option "alerts.plans.page[1]" needs the package "nodemailer" (e-mail notifiers send through it), which cannot be loaded: install it (npm install nodemailer)')
  const odd = refused(t, { page: [{ type: 'email', transport: {}, from: 'a@b.c', to: 'd@e.f' }] }, () => ({}))
  t.equal(odd.code, ERROR_CODES.MISSING_DEPENDENCY, 'a module without createTransport() is no nodemailer')
})

t.test('in a real process where nodemailer is not installed (a copy of the build, away from node_modules)', async (t) => {
  t.ok(existsSync(join(root, 'dist/cjs/options/resolve-plans.js')), 'built (node scripts/build.mjs)')
  const dir = mkdtempSync(join(tmpdir(), 'vigie-no-nodemailer-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(join(root, 'dist/cjs'), join(dir, 'app/dist'), { recursive: true })
  const script = `
    const { resolvePlans } = require(${JSON.stringify(join(dir, 'app/dist/options/resolve-plans.js'))})
    const { invalidOption } = require(${JSON.stringify(join(dir, 'app/dist/errors.js'))})
    try {
      resolvePlans({ ticket: [{ type: 'email', transport: { host: '127.0.0.1', auth: { user: 'u', pass: 'hunter2' } }, from: 'a@b.c', to: 'd@e.f' }] }, invalidOption)
      console.log(JSON.stringify({ ok: true }))
    } catch (err) {
      console.log(JSON.stringify({ code: err.code, option: err.option, message: err.message }))
    }`
  const run = (): Record<string, unknown> => {
    const child = spawnSync('env', ['-u', 'NODE_PATH', ...WITHOUT_TAP, process.execPath, '-e', script], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
    t.equal(child.status, 0, child.stderr)
    return JSON.parse(child.stdout)
  }
  const without = run()
  t.same(without, {
    code: 'VIGIE_ERR_MISSING_DEPENDENCY',
    option: 'alerts.plans.ticket[0]',
    message: 'vigie: option "alerts.plans.ticket[0]" needs the package "nodemailer" (e-mail notifiers send through it), which cannot be loaded: install it (npm install nodemailer)',
  })
  // The same copy with nodemailer beside it: the error came from its absence, not from the copy.
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(join(root, 'node_modules/nodemailer'), join(dir, 'node_modules/nodemailer'))
  t.same(run(), { ok: true }, 'installed: accepted')
})
