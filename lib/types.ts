import type { StatsD } from 'hot-shots'
import type { ScrubOptions } from './scrub/scrubber.ts'

export type { ScrubOptions }

/** Where and how request metrics are sent. Every field is optional. */
export interface StatsdOptions {
  /** StatsD host. Default: `STATSD_HOST`, then `127.0.0.1`. */
  host?: string
  /** StatsD port. Default: `STATSD_PORT`, then `8125`. */
  port?: number
  /** Transport. Default `'udp'`. `'uds'` needs `path`. */
  protocol?: 'udp' | 'tcp' | 'uds'
  /** Unix domain socket path, for `protocol: 'uds'`. */
  path?: string
  /** Prepended to every metric name, e.g. `'shop.'`. Default `''`. */
  prefix?: string
  /** Tags added to every metric, e.g. `{ env: 'production' }`. */
  globalTags?: Record<string, string | number>
  /** Fraction of request metrics sent, in (0, 1]. Default `1`. */
  sampleRate?: number
  /** `'datadog'` (`name:1|c|#k:v`, the default) or `'telegraf'` (`name,k=v:1|c`). */
  tagFormat?: 'datadog' | 'telegraf'
  /**
   * Bytes buffered before a send; `0` sends every metric at once. Default `1400` for UDP to another
   * host (one datagram within a typical MTU), `8192` on loopback, over a Unix socket or TCP.
   */
  maxBufferSize?: number
  /** Milliseconds between flushes of the buffer. Default `1000`. */
  bufferFlushInterval?: number
  /** Let hot-shots read `DD_*` variables and switch on its Datadog mode. Default `false`. */
  datadog?: boolean
  /** An existing hot-shots client to use instead of creating one. vigie never closes it. */
  client?: StatsD
}

/** Limits on what an exception line may contain. */
export interface CaptureOptions {
  /** Largest body kept, in bytes of JSON. Default `8192`. */
  maxBodyBytes?: number
  /** Deepest nesting kept in a body. Default `6`. */
  maxDepth?: number
  /** Most items kept per array (and keys per object). Default `50`. */
  maxArrayItems?: number
  /**
   * Most keys and items kept in one captured value (`req.body`, `req.query`, `req.params`,
   * `user`), all levels together. Default `1000`.
   */
  maxTotalKeys?: number
}

/** Outgoing correlation-ID propagation (on by default). */
export interface PropagationOptions {
  /**
   * Targets that receive the correlation header: hostnames (`api.example.com`, or `.example.com`
   * for a domain and its subdomains), RegExps tested on the hostname, or a predicate on the URL.
   * Default: every target.
   */
  targets?: readonly (string | RegExp)[] | ((url: URL) => boolean)
}

/** In-process aggregation of every metric sent (on by default). See docs/aggregation.md. */
export interface AggregationOptions {
  /**
   * Most series (metric name and tag set) kept, an integer from 1 to 100000. Default `500`.
   * Past it, a new series takes the place of the one recorded least recently (counted in
   * `snapshot().evictedSeries`).
   */
  maxSeries?: number
}

/** What `app.vigie` (Fastify) and `middleware.vigie` (Express) give access to. */
export interface VigieApi {
  /**
   * Every aggregated series over the last 1, 5, 15 and 60 minutes: vigie's own metrics and those
   * sent through `app.statsd`. null when `aggregation` is false or vigie is disabled.
   */
  snapshot: () => Snapshot | null
  /**
   * Each SLO as it stands: its counts over its window, the error budget left, the burn rates and
   * how much of the window the counts cover. `[]` without `slos`, or when vigie is disabled.
   * Cheap: a few sums kept as requests end (no scan). See docs/slo.md.
   */
  slos: () => SloStatus[]
  /**
   * From now on, the readiness endpoint (`<health.path>/ready`) answers 503 `{"status":"fail",
   * "output":"draining"}` without running its checks, so that a load balancer stops sending
   * requests before the server stops; liveness still passes. Call it when shutdown starts (on
   * SIGTERM: vigie installs no signal handler), then wait for the balancer to notice, then close
   * the server. It cannot be undone. Fastify's `app.close()` calls it too, and vigie's `close()`.
   * Without `health` (or with vigie disabled) it does nothing. See docs/health.md.
   *
   * @example
   * process.once('SIGTERM', async () => {
   *   app.vigie.drain()
   *   await new Promise((resolve) => setTimeout(resolve, 10_000)) // a few probe periods
   *   await app.close()
   * })
   */
  drain: () => void
  /**
   * Every alert rule's state: the threshold rules of `alerts.rules`, then the burn-rate rules of
   * each SLO (named `slo:<slo>:<severity>:<long>/<short>`). `[]` when there is none, or vigie is
   * disabled. See docs/alerts.md.
   */
  alerts: () => AlertStatus[]
  /**
   * The statements of most total time, by fingerprint (their shape without values), what
   * `pg_stat_statements` shows, from the app's side: count, total, mean, max and p90 time,
   * errors, rows; the queries of fingerprints not listed are summed in `other`. Empty with
   * `database: false`, or when vigie is disabled. See docs/database.md.
   */
  queries: () => TopQueries
  /** The `instance` tag's value (option `instance`); null when it is off. */
  readonly instance: string | null
}

/** A limit on a process reading for the readiness endpoint: over `warn`, `ready` says warn (still 200); over `fail`, it fails (503). */
export interface HealthLimit {
  warn?: number
  fail?: number
}

/** Health endpoints (off by default). See docs/health.md. */
export interface HealthOptions {
  /** Where `live` and `ready` are served: `<path>/live`, `<path>/ready`. Default `'/_vigie/health'`. */
  path?: string
  /**
   * Named readiness checks, run in parallel by `GET <path>/ready`, e.g.
   * `{ db: () => pool.query('select 1') }`. A check passes when it returns or resolves, and fails
   * when it throws, rejects or outlasts `timeoutMs`.
   */
  checks?: Record<string, () => unknown>
  /** Time limit of each check, in ms: an integer from 1 to 60000. Default `1000`. */
  timeoutMs?: number
  /** Limits on process readings that turn `ready` to warn or fail, like @fastify/under-pressure's. */
  thresholds?: {
    eventLoopDelayMs?: HealthLimit
    heapUsedBytes?: HealthLimit
    rssBytes?: HealthLimit
  }
}

/** A rolling window: a positive integer and a unit, `s`, `m`, `h` or `d` (`'30d'`, `'5m'`). */
export type Duration = `${number}${'s' | 'm' | 'h' | 'd'}`

/** Who is told, by severity: see `AlertsOptions.plans`. */
export type AlertSeverity = 'page' | 'ticket' | 'info'

/** One line of an SLO's burn-rate table: alert when the bad ratio is over `factor` × (1 − objective) in both windows. */
export interface BurnRateAlert {
  severity: AlertSeverity
  factor: number
  longWindow: Duration
  shortWindow: Duration
}

/** A service level objective. See docs/slo.md. */
export interface SloDefinition {
  /** Unique among the SLOs; letters, digits and `._-`. Used as the `slo` tag. */
  name: string
  /** The target share of good events, a percentage in (0, 100), e.g. `99.9`. */
  objective: number
  /** The rolling window, e.g. `'30d'`. */
  window: Duration
  /**
   * `'availability'`: good = answered and not 5xx (499 aborts are left out).
   * `{ latency: { thresholdMs } }`: good = answered within the threshold.
   */
  sli: 'availability' | { latency: { thresholdMs: number } }
  /** Only these controllers (route patterns); default every route. */
  controllers?: readonly string[]
  /**
   * The burn-rate alerts of this SLO. Default: the Google SRE Workbook's multiwindow table (page
   * at 14.4× over 1h and 5m, or 6× over 6h and 30m; ticket at 3× over 1d and 2h, or 1× over 3d
   * and 6h), written for 30 days: for another window, its windows are scaled by window ÷ 30 days
   * (to whole minutes, at least one) and the factors kept, so each line still means the same
   * share of the budget spent. A list of your own replaces it, as it is. `false`: none.
   */
  burnRateAlerts?: readonly BurnRateAlert[] | false
}

/** Where SLO counts are kept across restarts. */
export interface SloStoreOptions {
  /**
   * A file path: written atomically (a temporary file, then a rename) every `writeIntervalMs`
   * and on close, read back at start. A missing file starts fresh; a corrupt one, or one written
   * for other SLOs or by another format, is set aside (renamed) with one warning.
   */
  store?: string
  /** Time between two writes of the store, in ms: an integer from 1000 to 60000. Default `60000`. */
  writeIntervalMs?: number
}

/** The burn-rate windows `SloStatus.burnRates` reports. */
export type BurnRateWindow = '5m' | '30m' | '1h' | '2h' | '6h' | '1d' | '3d'

/** One SLO as it stands. */
export interface SloStatus {
  name: string
  objective: number
  window: Duration
  /** Good events in the window. */
  good: number
  /** Events in the window (good and bad). */
  total: number
  /** good ÷ total; null before any event. */
  sli: number | null
  /** 1 − bad ÷ (total × (1 − objective)): 1 untouched (and before any event), 0 spent, negative overspent. */
  errorBudget: { remaining: number | null }
  /**
   * The bad ratio over each window ÷ (1 − objective), to the minute; null when that window saw
   * no event, or is longer than the SLO's own window (whose minutes are all that is kept).
   */
  burnRates: Record<BurnRateWindow, number | null>
  /** How much of the window the counts cover, from 0 to 1 (the process, or the store, has not seen it all). */
  coverage: number
}

/** The statistics a threshold rule can watch (the aggregator's). */
export type AlertStat = 'count' | 'rate' | 'mean' | 'min' | 'max' | 'p50' | 'p90' | 'p95' | 'p99' | 'last' | 'ratio' | 'errorRatio'

/** A metric and the tags a series must have to be counted in (other tags may be anything). */
export interface SeriesSelector {
  metric: string
  tags?: Record<string, string>
}

/** A rule on an aggregated metric. See docs/alerts.md. */
export interface ThresholdRule {
  /** Unique among the rules; the `alertname` label. */
  name: string
  /** The metric watched; not for `stat: 'ratio'` (which has `numerator` and `denominator`). */
  metric?: string
  stat: AlertStat
  /** Only series with these tags (added up). */
  tags?: Record<string, string>
  numerator?: SeriesSelector
  denominator?: SeriesSelector
  /** From `'10s'` to `'60m'`. */
  window: Duration
  /** Fires when the value is over this (exactly one of `above`, `below`). */
  above?: number
  /** Fires when the value is under this. */
  below?: number
  /** Resolves only once the value is back past this (hysteresis); default the threshold. */
  clear?: number
  /** Pending until the condition has held this long. */
  for?: Duration
  /** Stays firing this long after the condition stopped. */
  keepFiringFor?: Duration
  /** No alert while fewer events than this are in the window. */
  minCount?: number
  severity: AlertSeverity
}

/** Where a notice goes. See docs/alerts.md for each. */
export type NotifierOptions =
  | { type: 'log' }
  | { type: 'webhook', url: string, headers?: Record<string, string> }
  | { type: 'slack', webhookUrl: string }
  | { type: 'email', transport: string | Record<string, unknown>, from: string, to: string | readonly string[] }
  | { type: 'pagerduty', routingKey: string, url?: string }
  | { type: 'github', repo: string, token: string, apiUrl?: string }

/** Alert rules and who is told. See docs/alerts.md. */
export interface AlertsOptions {
  rules?: readonly ThresholdRule[]
  /** Notifiers per severity; a severity without a plan gets the log line alone. */
  plans?: Partial<Record<AlertSeverity, readonly NotifierOptions[]>>
  /** How often rules are evaluated. Default `'10s'`. */
  evaluationInterval?: Duration
  /** A firing alert is sent again no more often than this. Default `'4h'`. */
  repeatInterval?: Duration
}

/** One alert rule's state. */
export interface AlertStatus {
  name: string
  state: 'ok' | 'pending' | 'firing'
  /** Epoch ms of the last change of state (the start, for a rule that never changed). */
  since: number
  /** The value at the last evaluation; null when there was nothing to read. */
  value: number | null
  severity: AlertSeverity
}

/** Database query metrics, the slow-query log and the N+1 check. See docs/database.md. */
export interface DatabaseOptions {
  /**
   * A query that takes longer than this, in ms, writes a `slow query` line (rate-limited per
   * statement fingerprint). An integer from 1 to 3600000. Default `500`.
   */
  slowQueryMs?: number
  /**
   * A request that sends more than this many queries of one fingerprint writes one
   * `possible N+1` line (at most once per route and fingerprint per 10 minutes). An integer from 2
   * to 100000, or `false` for no check. Default `20`.
   */
  nPlusOne?: number | false
  /**
   * Whether the `slow query` and `query failed` lines carry the query's parameters, scrubbed like
   * request bodies. Default `false`: a fingerprint holds no value, parameters do.
   */
  logParameters?: boolean
  /**
   * Appends a sqlcommenter comment, `/*request_id='…',route='…'*\/`, to each statement sent inside
   * a request, so the database's own logs can be joined with the app's. Default `false`.
   */
  comment?: boolean
}

/** The process gauges (`process.*`) sent to StatsD on a timer. See docs/process-metrics.md. */
export interface ProcessMetricsOptions {
  /**
   * Milliseconds between two samples, an integer from 1000 to 3600000. Default `10000`. The first
   * sample is taken 1 s after start.
   */
  intervalMs?: number
}

/** The budget of full exception lines (on by default). See docs/exception-capture.md. */
export interface ExceptionLinesOptions {
  /** Full lines per kind of failure and interval, an integer from 1 to 10000. Default `10`. */
  perInterval?: number
  /** The interval, in ms: an integer from 1000 to 3600000. Default `60000`. */
  intervalMs?: number
}

/** The live dashboard page (off by default). */
export interface DashboardOptions {
  /** Where the page is served: letters, digits and `._~-` in `/`-separated segments. Default `'/_vigie'`. */
  path?: string
  /**
   * When set, the page and its data answer 401 unless the request carries this token, as
   * `Authorization: Bearer <token>` or `?token=<token>`. Use a long random value.
   */
  token?: string
}

/** The Prometheus endpoint (off by default). See docs/prometheus.md. */
export interface PrometheusOptions {
  /** Where the metrics are served: letters, digits and `._~-` in `/`-separated segments. Default `'/metrics'`. */
  path?: string
  /**
   * When set, a scrape answers 401 unless it carries this token, as `Authorization: Bearer
   * <token>` (Prometheus' `authorization: { credentials }`) or `?token=<token>`.
   */
  token?: string
  /**
   * Serve the metrics on a server of their own on this port (0: any free port, logged) instead
   * of on the app; it closes with the app. An integer from 0 to 65535. Default: on the app.
   */
  port?: number
  /** The address that server listens on, with `port` only: an IP address or a host name. Default `'127.0.0.1'`. */
  host?: string
}

/** Options of the Fastify plugin and the Express middleware. `Request` is the framework's request type. */
export interface VigieOptions<Request = unknown> {
  statsd?: StatsdOptions
  /** Header that carries the correlation ID in and out. Default `'x-request-id'`. */
  correlationHeader?: string
  /**
   * Returns who made the request, for exception lines; called only when a full line is written.
   * May throw; vigie carries on. Default: `request.user` (set by passport, @fastify/jwt,
   * @fastify/passport) when it is an object, reduced to its `id`, `username` and `email` that
   * are strings or numbers. `false`: no user in exception lines.
   */
  getUser?: ((request: Request) => unknown) | false
  /** Also capture 4xx answers that were caused by an error. Default `false`. */
  captureClientErrors?: boolean
  capture?: CaptureOptions
  scrub?: ScrubOptions
  /** Most distinct `controller` tag values. Default `500`. */
  maxControllers?: number
  /**
   * This process's name among the app's instances, sent as the `instance` tag of the gauges that
   * describe one process (`process.*`, `slo.*`), so that two workers or replicas never overwrite
   * each other's. Default: the host's name (`HOSTNAME`, else the OS's), with `-w<n>` under PM2
   * (`NODE_APP_INSTANCE`) or `node:cluster` (`cluster.worker.id`); never the pid. 1 to 128
   * letters, digits and `._-`; `false` sends no `instance` tag. Read it as `app.vigie.instance`
   * to tag your own gauges. See docs/fleet.md.
   */
  instance?: string | false
  /**
   * Under `node:cluster` (PM2's cluster mode included), share the aggregation with the app's
   * other workers, through the primary, so that `app.vigie.snapshot()`, `slos()`, `queries()`,
   * the dashboard, `/metrics` and the alert rules answer for the whole app, and only one worker
   * sends alert notices. Needs
   * vigie in the primary: `clusterPrimary()`, `patchAll()` or `vigie/register` there. Default
   * `true`; `false` keeps each worker on its own. See docs/fleet.md.
   */
  cluster?: boolean
  /** Requests that are neither timed nor counted: exact paths or route patterns, or a predicate. */
  ignore?: readonly string[] | ((request: Request) => boolean)
  /**
   * Run each request in vigie's AsyncLocalStorage, where `correlationId()`, the `loggerOptions()`
   * mixin and propagation find it. Default `true`. `false` saves that cost per request (the
   * response header, `request.correlationId`, the request's logger, metrics and exception lines
   * keep the ID) and turns propagation off; `propagation: true` with it is an error.
   */
  asyncContext?: boolean
  /**
   * Log injection: every line a pino logger writes inside a request gets the request's
   * `correlationId` (Fastify's logger in code; with patchAll() or `vigie/register`, every pino
   * logger created after it). Default `true`. Needs `asyncContext`. See docs/correlation-id.md.
   */
  logInjection?: boolean
  /**
   * Add the correlation header to outgoing `fetch` and `http(s).request` calls made while a
   * request is handled, and time them (`http_client_request`). Default `true`; off by default
   * with `asyncContext: false`.
   */
  propagation?: boolean | PropagationOptions
  /**
   * Aggregate every metric sent (vigie's own and those sent through `app.statsd`) in-process,
   * readable with `app.vigie.snapshot()`: counts and rates, timing percentiles, gauges over the
   * last 1, 5, 15 and 60 minutes. Default `true`; `false` turns it off.
   */
  aggregation?: boolean | AggregationOptions
  /**
   * Send process gauges (event-loop delay, heap, RSS, CPU %, active handles, GC pause, free disk)
   * every `intervalMs`. Default `true`; `false` turns them off.
   */
  processMetrics?: boolean | ProcessMetricsOptions
  /**
   * Count and time the queries sent through the `pg` and `mysql2` drivers (`db.query`,
   * `db.query.response_time`, tagged with the system, the statement's first keyword, the outcome
   * and the controller of the request that sent it): docs/database.md. Default `true`; `false`
   * turns it off.
   */
  database?: boolean | DatabaseOptions
  /** Serve a live dashboard page of the app's metrics and latest exceptions. Default `false`. */
  dashboard?: boolean | DashboardOptions
  /**
   * Serve every metric vigie records for Prometheus to scrape, cumulative since start:
   * `http_requests_total`, the histogram `http_request_duration_seconds`, the database, process
   * and SLO metrics, and the app's own `app.statsd` metrics. Its scrapes are never counted.
   * Default `false`; `true` serves them at `/metrics` on the app. See docs/prometheus.md.
   */
  prometheus?: boolean | PrometheusOptions
  /**
   * A budget of full exception lines per kind of failure (controller, error type, status) and
   * interval; the failures past it are counted and summarised in one line per kind and interval.
   * Default `true` (10 lines a minute per kind); `false` writes every line in full.
   * See docs/exception-capture.md.
   */
  exceptionLines?: boolean | ExceptionLinesOptions
  /** Liveness and readiness endpoints. Default `false`. See docs/health.md. */
  health?: boolean | HealthOptions
  /** Service level objectives, computed in-process from every counted request. See docs/slo.md. */
  slos?: readonly SloDefinition[]
  /** Where SLO counts persist. */
  slo?: SloStoreOptions
  /** Threshold rules, and notifiers per severity. See docs/alerts.md. */
  alerts?: AlertsOptions
}

/** Per-route settings, under `config.vigie`. `false` opts the route out of metrics. */
export type RouteVigieConfig = false | { controller?: string }

/** How a series is aggregated: StatsD `c` → counter; `ms`, `h` and `d` → timing; `g` → gauge. */
export type MetricKind = 'counter' | 'timing' | 'gauge'

/** The sliding windows of a snapshot. */
export type WindowName = '1m' | '5m' | '15m' | '60m'

/** A counter over a window: the sum of its increments, and that sum per second. */
export interface CounterStats {
  count: number
  ratePerSecond: number
}

/** Timings over a window, in the unit they were recorded in (ms for vigie's own). */
export interface TimingStats {
  count: number
  /** Exact. */
  min: number
  /** Exact. */
  max: number
  /** Exact. */
  mean: number
  /** From a DDSketch: within its relative accuracy of the exact value (docs/aggregation.md). */
  median: number
  p90: number
  p95: number
  p99: number
}

/** Gauge samples over a window. */
export interface GaugeStats {
  /** The latest sample. */
  last: number
  min: number
  max: number
  mean: number
  samples: number
}

export type Stats = CounterStats | TimingStats | GaugeStats

/** One series (a metric name and a tag set) over every window. */
export interface SeriesSnapshot {
  /** Without the StatsD prefix. */
  name: string
  kind: MetricKind
  /** `'k:v'` tags split at the first `:`; a tag without `:` maps to `''`. Global tags are not included. */
  tags: Record<string, string>
  /** null: nothing recorded in that window. */
  windows: Record<WindowName, Stats | null>
}

export interface Snapshot {
  /** Epoch ms when taken. */
  at: number
  /** Every series with a record in the last 60 minutes. */
  series: SeriesSnapshot[]
  maxSeries: number
  /**
   * Series evicted so far (since the start) to make room for new ones once `maxSeries` existed:
   * each was the one recorded least recently, and lost what it had. A metric recorded again
   * after its series was evicted starts a new series.
   */
  evictedSeries: number
  /**
   * Request lines (`http_request`, `http_request.response_time`) vigie's own StatsD socket could
   * not send since the app started, by reason; also sent as the counter `vigie.metrics_dropped`.
   * null when hot-shots sends those lines (a `statsd.client` of your own, `protocol: 'uds'`,
   * `sampleRate` below 1, Datadog mode): it counts nothing. See docs/metrics.md.
   */
  metricsDropped: MetricsDropped | null
}

/** Lines dropped, by reason. */
export interface MetricsDropped {
  /** The StatsD host's name had no address (not looked up yet, or the lookup failed). */
  dns: number
  /** The socket failed: the server refused, the connection was lost or not made again yet, the app was closing. */
  socket: number
  /** More than 1 MiB was waiting for the network. */
  queue_full: number
}

/** One fingerprint's stats. */
export interface FingerprintStats {
  /** The statement's fingerprint (docs/database.md): no literal value. */
  readonly fingerprint: string
  readonly system: 'postgresql' | 'mysql'
  readonly count: number
  readonly totalMs: number
  readonly meanMs: number
  readonly maxMs: number
  /** From a DDSketch: within 2 % of the exact p90. */
  readonly p90Ms: number
  readonly errors: number
  /** Sum of the rows the driver reported; undefined when it never did. */
  readonly rows: number | undefined
}

/** Queries not listed: their fingerprints were pushed out of the table, or are beyond the limit read. */
export interface OtherQueries extends Omit<FingerprintStats, 'fingerprint' | 'system'> {
  /** Fingerprints folded in (one pushed out, admitted again and pushed out again counts twice). */
  readonly fingerprints: number
}

export interface TopQueries {
  /** By total time, highest first. */
  readonly queries: FingerprintStats[]
  readonly other: OtherQueries
}
