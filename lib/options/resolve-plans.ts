// `alerts.plans`: who is told at each severity. Checked once at startup; each bad field is a
// coded error that names it (`alerts.plans.page[0].url`). Secrets (URLs, routing keys, tokens,
// SMTP credentials) are described in those errors, never shown.

import { missingDependency, type InvalidOption } from '../errors.ts'
import lazyDependencies from '../lazy-dependencies.cjs'
import type { AlertSeverity } from '../types.ts'
import { checkKeysAt, isRecord } from './code-options.ts'

export const SEVERITIES: readonly AlertSeverity[] = Object.freeze(['page', 'ticket', 'info'])

/** Where PagerDuty's Events API v2 takes events. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue'
/** GitHub's REST API. */
export const GITHUB_API_URL = 'https://api.github.com'

/** What every resolved notifier has: `option` is its path (`alerts.plans.page[0]`), safe to log. */
interface NotifierBase {
  readonly option: string
  readonly severity: AlertSeverity
}

export type ResolvedNotifier = NotifierBase & (
  | { readonly type: 'log' }
  | { readonly type: 'webhook', readonly url: string, readonly headers: Readonly<Record<string, string>> }
  | { readonly type: 'slack', readonly webhookUrl: string }
  | { readonly type: 'email', readonly transport: string | Readonly<Record<string, unknown>>, readonly from: string, readonly to: readonly string[] }
  | { readonly type: 'pagerduty', readonly routingKey: string, readonly url: string }
  | { readonly type: 'github', readonly repo: string, readonly token: string, readonly apiUrl: string }
)

/** The notifiers of each severity, in the order given (a severity without a plan has none). */
export type ResolvedPlans = Readonly<Record<AlertSeverity, readonly ResolvedNotifier[]>>

const KEYS: Readonly<Record<ResolvedNotifier['type'], readonly string[]>> = {
  log: ['type'],
  webhook: ['type', 'url', 'headers'],
  slack: ['type', 'webhookUrl'],
  email: ['type', 'transport', 'from', 'to'],
  pagerduty: ['type', 'routingKey', 'url'],
  github: ['type', 'repo', 'token', 'apiUrl'],
}
const TYPES = Object.keys(KEYS) as Array<ResolvedNotifier['type']>

// RFC 9110 token characters, the only ones a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Visible ASCII, space and tab: no CR or LF that would start another header.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const GITHUB_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
// An address as nodemailer takes it (`ops@example.com`, `Ops <ops@example.com>`), on one line.
const ADDRESS = /^[^\r\n]*@[^\r\n]*$/

/**
 * Checks `alerts.plans` and returns a frozen copy; `undefined` and `null` mean no plan at all.
 * Loads nodemailer when an e-mail notifier is configured (VIGIE_ERR_MISSING_DEPENDENCY when it
 * cannot be). Throws what `invalid` builds for a bad value, VIGIE_ERR_UNKNOWN_OPTION for an
 * unknown field. `loadNodemailer` is for tests.
 */
export function resolvePlans (value: unknown, invalid: InvalidOption, loadNodemailer: () => unknown = lazyDependencies.nodemailer): ResolvedPlans {
  const plans: Record<AlertSeverity, ResolvedNotifier[]> = { page: [], ticket: [], info: [] }
  if (value !== undefined && value !== null) {
    if (!isRecord(value)) throw invalid('alerts.plans', 'an object with lists of notifiers under "page", "ticket" and "info"', value)
    checkKeysAt(value, 'alerts.plans', SEVERITIES)
    for (const severity of SEVERITIES) {
      const list = value[severity]
      const option = `alerts.plans.${severity}`
      if (list === undefined || list === null) continue
      if (!Array.isArray(list)) throw invalid(option, 'an array of notifiers', list)
      list.forEach((notifier: unknown, i) => plans[severity].push(resolveNotifier(notifier, `${option}[${i}]`, severity, invalid, loadNodemailer)))
    }
  }
  return Object.freeze({
    page: Object.freeze(plans.page),
    ticket: Object.freeze(plans.ticket),
    info: Object.freeze(plans.info),
  })
}

function resolveNotifier (value: unknown, option: string, severity: AlertSeverity, invalid: InvalidOption, loadNodemailer: () => unknown): ResolvedNotifier {
  if (!isRecord(value)) throw invalid(option, `a notifier: an object with a "type" (${TYPES.map((t) => `"${t}"`).join(', ')})`, value)
  const type = value.type
  if (typeof type !== 'string' || !Object.hasOwn(KEYS, type)) throw invalid(`${option}.type`, `one of ${TYPES.map((t) => `"${t}"`).join(', ')}`, type)
  const kind = type as ResolvedNotifier['type']
  checkKeysAt(value, option, KEYS[kind])
  const base = { option, severity }
  switch (kind) {
    case 'log':
      return Object.freeze({ ...base, type: kind })
    case 'webhook':
      return Object.freeze({ ...base, type: kind, url: httpUrl(value.url, `${option}.url`, invalid), headers: headers(value.headers, `${option}.headers`, invalid) })
    case 'slack':
      return Object.freeze({ ...base, type: kind, webhookUrl: httpUrl(value.webhookUrl, `${option}.webhookUrl`, invalid) })
    case 'email': {
      const resolved = Object.freeze({
        ...base,
        type: kind,
        transport: transport(value.transport, `${option}.transport`, invalid),
        from: address(value.from, `${option}.from`, invalid),
        to: Object.freeze(addresses(value.to, `${option}.to`, invalid)),
      })
      checkNodemailer(option, loadNodemailer)
      return resolved
    }
    case 'pagerduty':
      return Object.freeze({
        ...base,
        type: kind,
        routingKey: secretToken(value.routingKey, `${option}.routingKey`, 'a PagerDuty integration key: a non-empty string without spaces', invalid),
        url: value.url === undefined ? PAGERDUTY_EVENTS_URL : httpUrl(value.url, `${option}.url`, invalid),
      })
    case 'github': {
      if (typeof value.repo !== 'string' || !GITHUB_REPO.test(value.repo)) throw invalid(`${option}.repo`, 'a repository as "owner/name"', value.repo)
      return Object.freeze({
        ...base,
        type: kind,
        repo: value.repo,
        token: secretToken(value.token, `${option}.token`, 'a GitHub token: a non-empty string without spaces', invalid),
        apiUrl: value.apiUrl === undefined ? GITHUB_API_URL : httpUrl(value.apiUrl, `${option}.apiUrl`, invalid).replace(/\/+$/, ''),
      })
    }
  }
}

/** An absolute http: or https: URL. It may carry a secret (Slack's path, a token in the query): never shown. */
function httpUrl (value: unknown, option: string, invalid: InvalidOption): string {
  const expected = 'an absolute http: or https: URL'
  if (typeof value !== 'string') throw invalid(option, expected, value, true)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid(option, expected, value, true)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(option, expected, value, true)
  // fetch() refuses them; a webhook takes an authorization header instead.
  if (url.username !== '' || url.password !== '') throw invalid(option, 'a URL without credentials (give a webhook `headers: { authorization }`)', value, true)
  return value
}

function secretToken (value: unknown, option: string, expected: string, invalid: InvalidOption): string {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) throw invalid(option, expected, value, true)
  return value
}

/** Header values (an Authorization header, say) are secrets: described, never shown. */
function headers (value: unknown, option: string, invalid: InvalidOption): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({})
  if (!isRecord(value)) throw invalid(option, 'an object of header names and string values', value, true)
  const out: Record<string, string> = Object.create(null)
  for (const [name, header] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) throw invalid(`${option}.${name}`, 'set under a valid HTTP header name', name)
    if (typeof header !== 'string' || !HEADER_VALUE.test(header)) throw invalid(`${option}.${name}`, 'a header value: a string without line breaks', header, true)
    out[name.toLowerCase()] = header
  }
  return Object.freeze(out)
}

/** As nodemailer takes it: an SMTP URL (`smtps://user:pass@host`) or an options object. Both may hold a password. */
function transport (value: unknown, option: string, invalid: InvalidOption): string | Readonly<Record<string, unknown>> {
  const expected = 'a nodemailer transport: an SMTP URL ("smtp://…", "smtps://…") or an options object ({ host, port, auth })'
  if (typeof value === 'string') {
    if (!/^smtps?:\/\/./.test(value)) throw invalid(option, expected, value, true)
    return value
  }
  if (!isRecord(value)) throw invalid(option, expected, value)
  return Object.freeze({ ...value })
}

function address (value: unknown, option: string, invalid: InvalidOption): string {
  if (typeof value !== 'string' || !ADDRESS.test(value)) throw invalid(option, 'an e-mail address ("ops@example.com" or "Ops <ops@example.com>")', value)
  return value
}

function addresses (value: unknown, option: string, invalid: InvalidOption): string[] {
  if (typeof value === 'string') return [address(value, option, invalid)]
  if (!Array.isArray(value) || value.length === 0) throw invalid(option, 'an e-mail address or a non-empty array of them', value)
  return value.map((to: unknown, i) => address(to, `${option}[${i}]`, invalid))
}

function checkNodemailer (option: string, load: () => unknown): void {
  let loaded: unknown
  try {
    loaded = load()
  } catch {
    throw missingDependency(option, 'nodemailer', 'e-mail notifiers send through it')
  }
  if (typeof (loaded as { createTransport?: unknown } | null)?.createTransport !== 'function') {
    throw missingDependency(option, 'nodemailer', 'e-mail notifiers send through it; what loaded has no createTransport()')
  }
}
