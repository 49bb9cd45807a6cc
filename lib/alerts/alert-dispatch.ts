// Sends each alert notice to the notifiers of its severity's plan, off the request path
// (delivery-queue.ts). A notifier that fails for good is logged once and counted; its secrets
// are cut out of anything logged. Nothing here throws to the caller.

import { hostname } from 'node:os'
import type { StatsD } from 'hot-shots'
import { errorName } from '../capture/error-name.ts'
import type { VigieLogger } from '../core/exception-capture.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import { boundedText } from '../scrub/free-text.ts'
import type { Scrubber } from '../scrub/scrubber.ts'
import type { AlertDispatch, AlertNotice } from './alert-notice.ts'
import { DELIVERY_LIMITS, DeliveryQueue, type DeliveryLimits } from './delivery-queue.ts'
import { emailNotifier } from './notifiers/email.ts'
import { githubNotifier } from './notifiers/github.ts'
import type { Notifier, NotifierContext } from './notifiers/notifier.ts'
import { pagerdutyNotifier } from './notifiers/pagerduty.ts'
import { slackNotifier } from './notifiers/slack.ts'
import { webhookNotifier } from './notifiers/webhook.ts'
import type { ResolvedNotifier, ResolvedPlans } from '../options/resolve-plans.ts'

/** Counted, tagged `type` and `severity`, when a notifier gave up on a notice. */
export const NOTIFICATION_FAILED = 'alert.notification_failed'
/** Counted, tagged `type` and `severity`, when a notice found the queue full. */
export const NOTIFICATION_DROPPED = 'alert.notification_dropped'

const MAX_ERROR_LENGTH = 500
const REDACTED = '[REDACTED]'

export interface AlertDispatchParts {
  readonly logger: VigieLogger
  readonly reporter: FailureReporter
  readonly statsd: Pick<StatsD, 'increment'>
  readonly scrubber: Scrubber
  /** Epoch ms; default Date.now. */
  readonly now?: () => number
  /** PagerDuty's `source`; default os.hostname(). */
  readonly hostname?: string
  /** The queue's limits (DELIVERY_LIMITS by default): tests shorten them. */
  readonly limits?: Partial<DeliveryLimits>
  /** The retries' jitter, from 0 to 1; default Math.random. */
  readonly random?: () => number
}

interface Destination {
  readonly options: ResolvedNotifier
  readonly notifier: Notifier
  /** Every form its secrets may take in an error message, longest first. */
  readonly secrets: readonly string[]
}

/**
 * Builds the notifiers of `plans` (nodemailer is loaded at the first e-mail) and returns the
 * dispatch the alert engine hands its notices to. `{ type: 'log' }` notifiers add nothing to the
 * engine's own line. Never throws, neither here nor later.
 */
export function createAlertDispatch (plans: ResolvedPlans, parts: AlertDispatchParts): AlertDispatch {
  const limits = { ...DELIVERY_LIMITS, ...parts.limits }
  const context: NotifierContext = { hostname: parts.hostname ?? safeHostname(), now: parts.now ?? Date.now }
  const queue = new DeliveryQueue(limits, parts.random)
  if ([...plans.page, ...plans.ticket, ...plans.info].some((notifier) => notifier.type !== 'log' && notifier.type !== 'email')) {
    // Node loads undici, behind fetch(), on first use: 100 to 300 ms of blocked event loop.
    // Paid here, at startup, rather than when the first alert fires among requests.
    void globalThis.Response
  }
  const destinations = {
    page: build(plans.page),
    ticket: build(plans.ticket),
    info: build(plans.info),
  }

  function build (list: readonly ResolvedNotifier[]): Destination[] {
    return list.flatMap((options) => {
      const notifier = notifierOf(options, context, limits.attemptTimeoutMs)
      return notifier === null ? [] : [{ options, notifier, secrets: secretForms(notifier.secrets) }]
    })
  }

  function count (metric: string, destination: Destination): void {
    try {
      parts.statsd.increment(metric, 1, { type: destination.options.type, severity: destination.options.severity })
    } catch (err) {
      parts.reporter.report('statsd', err)
    }
  }

  function failed (destination: Destination, notice: AlertNotice, err: unknown, attempts: number): void {
    count(NOTIFICATION_FAILED, destination)
    try {
      parts.logger.error({
        vigie: {
          alert: { rule: notice.rule, status: notice.status, severity: notice.severity, fingerprint: notice.fingerprint },
          notifier: { type: destination.options.type, option: destination.options.option },
          attempts,
          // Not under `err`: pino's error serializer would take it for an error and rename its type.
          error: { type: errorName(err), message: safeMessage(err, destination.secrets, parts.scrubber) },
        },
      }, `vigie: alert notification failed (${destination.options.type}); the alert "${notice.rule}" was not sent there`)
    } catch {
      // The logger itself failed: there is nowhere left to report to.
    }
  }

  let closing: Promise<void> | undefined
  return {
    notify (notice) {
      if (closing !== undefined) return
      try {
        for (const destination of destinations[notice.severity] ?? []) {
          const queued = queue.push({
            key: `${destination.options.option}\u0000${notice.fingerprint}`,
            attempt: (signal) => destination.notifier.send(notice, signal),
            failed: (err, attempts) => failed(destination, notice, err, attempts),
          })
          if (!queued) {
            count(NOTIFICATION_DROPPED, destination)
            parts.reporter.report('alert notifications', new Error(`${limits.maxQueued} notices are queued already; one for ${destination.options.option} was dropped`))
          }
        }
      } catch (err) {
        parts.reporter.report('alert notifications', err)
      }
    },
    close () {
      closing ??= (async () => {
        try {
          const abandoned = await queue.close()
          if (abandoned > 0) {
            parts.logger.warn({ vigie: { abandoned, closeTimeoutMs: limits.closeTimeoutMs } },
              `vigie: ${abandoned} alert notification(s) still under way at close were given up`)
          }
        } catch (err) {
          parts.reporter.report('alert notifications', err)
        }
        for (const destination of [...destinations.page, ...destinations.ticket, ...destinations.info]) {
          try {
            destination.notifier.close?.()
          } catch (err) {
            parts.reporter.report('alert notifications', err)
          }
        }
      })()
      return closing
    },
  }
}

function notifierOf (options: ResolvedNotifier, context: NotifierContext, attemptTimeoutMs: number): Notifier | null {
  switch (options.type) {
    case 'log': return null
    case 'webhook': return webhookNotifier(options)
    case 'slack': return slackNotifier(options)
    case 'email': return emailNotifier(options, attemptTimeoutMs)
    case 'pagerduty': return pagerdutyNotifier(options, context)
    case 'github': return githubNotifier(options, context)
  }
}

/** A secret as given, and as a URL parser or an encoder may print it (exported for tests). */
export function secretForms (secrets: readonly string[]): string[] {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret.length < 4) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
    try {
      const url = new URL(secret)
      forms.add(url.href)
      if (url.pathname.length > 8) forms.add(url.pathname)
      if (url.search.length > 8) forms.add(url.search)
      if (url.password !== '') forms.add(url.password)
    } catch {
      // Not a URL.
    }
  }
  return [...forms].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length)
}

/** The error's message without the notifier's secrets, scrubbed and bounded (exported for tests). */
export function safeMessage (err: unknown, secrets: readonly string[], scrubber: Scrubber): string {
  let message = err instanceof Error ? String(err.message) : String(err)
  for (const secret of secrets) message = message.split(secret).join(REDACTED)
  return boundedText(scrubber.text(message), MAX_ERROR_LENGTH)
}

function safeHostname (): string {
  try {
    return hostname()
  } catch {
    return 'unknown'
  }
}
