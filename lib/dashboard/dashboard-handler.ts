import type { IncomingHttpHeaders } from 'node:http'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { Endpoint, EndpointResponse } from '../core/vigie.ts'
import type { TopQueries } from '../types.ts'
import { errorName } from '../capture/error-name.ts'
import { boundedText } from '../scrub/free-text.ts'
import * as assets from './assets.generated.ts'
import { DashboardAuth } from './dashboard-auth.ts'
import { buildDashboardData, type DashboardSource, type StatusProviders } from './dashboard-data.ts'
import { isLoopbackAddress } from './loopback-address.ts'

/** What the dashboard reads, and reports its failures to. */
export interface DashboardHost extends DashboardSource {
  readonly reporter: Pick<FailureReporter, 'report' | 'warnOnce'>
}

interface Asset {
  readonly body: string
  readonly etag: string
  readonly type: string
}

type Target = { readonly kind: 'page' | 'data' } | { readonly kind: 'asset', readonly asset: Asset }

// The page loads only its own files and data: no inline script or style, no other origin, and it
// cannot be framed. Every response carries these; only the page needs most of them.
const SECURITY_HEADERS = Object.freeze({
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // The token may be in the page's URL: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
})
const NO_STORE = 'no-store'
// Assets are the same for every app using this vigie version: cached, revalidated by ETag.
const REVALIDATE = 'no-cache'
const ALLOWED_METHODS = 'GET, HEAD'
const MAX_PROVIDER_MESSAGE_LENGTH = 500

const ASSETS: Readonly<Record<string, Asset>> = Object.freeze({
  'uplot.iife.min.js': { body: assets.UPLOT_JS, etag: assets.UPLOT_JS_ETAG, type: 'text/javascript; charset=utf-8' },
  'uplot.min.css': { body: assets.UPLOT_CSS, etag: assets.UPLOT_CSS_ETAG, type: 'text/css; charset=utf-8' },
  'dashboard.js': { body: assets.DASHBOARD_JS, etag: assets.DASHBOARD_JS_ETAG, type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { body: assets.DASHBOARD_CSS, etag: assets.DASHBOARD_CSS_ETAG, type: 'text/css; charset=utf-8' },
  // Without an icon of its own, the browser asks the app for /favicon.ico, which the app counts.
  'favicon.svg': { body: assets.FAVICON_SVG, etag: assets.FAVICON_SVG_ETAG, type: 'image/svg+xml' },
})

/**
 * The dashboard's routes, independent of any framework: the page at `path`, its data at
 * `path/data.json` and its static files under `path/assets/`. The page and the data need the
 * token when one is set; the static files (the same for every app) do not, so the token travels
 * in as few URLs as possible. Never throws: a failure becomes a 500 and a report.
 */
export class DashboardHandler implements Endpoint {
  readonly path: string
  /** Every path the dashboard answers, for frameworks that register routes one by one. */
  readonly paths: readonly string[]
  readonly #host: DashboardHost
  /** The host, with its providers guarded: one that throws gives an empty list (or table of queries). */
  readonly #source: DashboardSource
  readonly #auth: DashboardAuth
  readonly #targets: ReadonlyMap<string, Target>
  readonly #page: string
  /** No token, and no request seen yet on an address other machines reach. */
  #watchForOpenAddress: boolean

  constructor (host: DashboardHost, options: { readonly path: string, readonly token: string | undefined }, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.path = options.path
    this.#host = host
    this.#source = {
      aggregator: host.aggregator,
      recentExceptions: () => host.recentExceptions(),
      metricsDropped: () => host.metricsDropped(),
      slos: () => guarded(host, 'slos', 'the SLOs', Array.isArray, 'an array', []),
      alerts: () => guarded(host, 'alerts', 'the alerts', Array.isArray, 'an array', []),
      queries: () => guarded(host, 'queries', 'the query fingerprints', isTopQueries, 'a table of queries', NO_QUERIES),
    }
    this.#auth = new DashboardAuth(options.token)
    this.#watchForOpenAddress = options.token === undefined
    // Relative to the page's own URL (`/a/_vigie` → `_vigie/assets/…`), so the page also works
    // behind a mount path or a proxy prefix the app does not know about.
    const lastSegment = options.path.slice(options.path.lastIndexOf('/') + 1)
    this.#page = assets.PAGE_HTML.replaceAll('__ASSETS__', `${lastSegment}/assets`)
    const targets = new Map<string, Target>([
      [options.path, { kind: 'page' }],
      [`${options.path}/data.json`, { kind: 'data' }],
    ])
    for (const [name, asset] of Object.entries(ASSETS)) targets.set(`${options.path}/assets/${name}`, { kind: 'asset', asset })
    this.#targets = targets
    this.paths = Object.freeze([...targets.keys()])

    if (options.token === undefined && env.NODE_ENV === 'production') {
      host.reporter.warnOnce('dashboard-no-token',
        `vigie: the dashboard is on in production with no token: anyone who can reach ${options.path} sees the app's routes, traffic and latest exception messages. Set dashboard.token, or expose the path only on an internal network.`,
        { dashboardPath: options.path })
    }
    if (host.aggregator === null) {
      host.reporter.warnOnce('dashboard-no-aggregation',
        'vigie: the dashboard is on but aggregation is off: it shows only the latest exceptions. Remove aggregation: false to see the charts.')
    }
  }

  /** The answer for one of `paths` (see Endpoint#respond). */
  respond (path: string, method: string, query: string, headers: IncomingHttpHeaders, localAddress?: string): EndpointResponse {
    try {
      const target = this.#targets.get(path)
      if (target === undefined) return plain(404, 'Not found')
      if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method not allowed', { allow: ALLOWED_METHODS })
      if (target.kind === 'asset') return asset(target.asset, headers['if-none-match'])
      if (!this.#auth.allows(headers.authorization, new URLSearchParams(query))) {
        return plain(401, 'vigie dashboard: missing or wrong token', { 'www-authenticate': 'Bearer realm="vigie"' })
      }
      if (this.#watchForOpenAddress) this.#warnIfOpen(localAddress)
      if (target.kind === 'page') return respondWith(200, 'text/html; charset=utf-8', this.#page, { 'cache-control': NO_STORE })
      return respondWith(200, 'application/json; charset=utf-8', JSON.stringify(buildDashboardData(this.#source)), { 'cache-control': NO_STORE })
    } catch (err) {
      this.#host.reporter.report('dashboard', err)
      return plain(500, 'vigie dashboard: internal error')
    }
  }

  /**
   * Warns once when the page or its data goes, with no token, to a request that came in on an
   * address other machines reach: `token: process.env.X` with X unset looks set, but is not.
   */
  #warnIfOpen (localAddress: string | undefined): void {
    if (localAddress === undefined || isLoopbackAddress(localAddress)) return
    this.#watchForOpenAddress = false
    this.#host.reporter.warnOnce('dashboard-open-address',
      `vigie: the dashboard at ${this.path} is served with no token on ${localAddress}, an address other machines can reach: anyone who can reach it sees the app's routes, traffic and latest exception messages. Set dashboard.token (a token read from an unset environment variable is no token), or serve the app on loopback only.`,
      { dashboardPath: this.path, localAddress })
  }
}

/** What a queries provider gives when it fails: no fingerprint, nothing counted. */
const NO_QUERIES: TopQueries = Object.freeze({
  queries: [],
  other: Object.freeze({ fingerprints: 0, count: 0, totalMs: 0, meanMs: 0, maxMs: 0, p90Ms: 0, errors: 0, rows: undefined }),
})

function isTopQueries (value: unknown): boolean {
  const top = value as TopQueries | null
  return typeof top === 'object' && top !== null && Array.isArray(top.queries) && typeof top.other === 'object' && top.other !== null
}

/**
 * `host[which]()`, or `empty` when it throws or gives something `valid` refuses: the page still
 * shows everything else. Warned once for the life of the app; the next failures are silent (the
 * section then says there is nothing to show).
 */
function guarded<K extends keyof StatusProviders, E> (host: DashboardHost, which: K, what: string,
  valid: (value: unknown) => boolean, expected: string, empty: E): ReturnType<StatusProviders[K]> | E {
  let failure: unknown
  try {
    const value = host[which]()
    if (valid(value)) return value as ReturnType<StatusProviders[K]>
    failure = new TypeError(`expected ${expected}, got ${value === null ? 'null' : typeof value}`)
  } catch (err) {
    failure = err
  }
  host.reporter.warnOnce(`dashboard-${which}`,
    `vigie: the dashboard could not read ${what}; it shows none while that fails (the rest of the page is not affected)`,
    { provider: which, err: { type: errorName(failure), message: boundedText(failure instanceof Error ? String(failure.message) : String(failure), MAX_PROVIDER_MESSAGE_LENGTH) } })
  return empty
}

function asset (file: Asset, ifNoneMatch: string | undefined): EndpointResponse {
  const headers = { etag: file.etag, 'cache-control': REVALIDATE }
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => matches(tag.trim(), file.etag))) {
    return { status: 304, headers: { ...SECURITY_HEADERS, ...headers }, body: '' }
  }
  return respondWith(200, file.type, file.body, headers)
}

function plain (status: number, text: string, extra: Record<string, string> = {}): EndpointResponse {
  return respondWith(status, 'text/plain; charset=utf-8', text, { 'cache-control': NO_STORE, ...extra })
}

function respondWith (status: number, type: string, body: string, extra: Record<string, string>): EndpointResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': type, ...extra }, body }
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`. */
function matches (tag: string, etag: string): boolean {
  return tag === '*' || tag === etag || tag === `W/${etag}`
}
