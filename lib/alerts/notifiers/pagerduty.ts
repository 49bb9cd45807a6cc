import type { AlertSeverity } from '../../types.ts'
import type { AlertNotice } from '../alert-notice.ts'
import type { ResolvedNotifier } from '../../options/resolve-plans.ts'
import { discard, headline, request, rfc3339, type Notifier, type NotifierContext } from './notifier.ts'

/** PagerDuty's severities, by vigie's. */
export const PAGERDUTY_SEVERITY: Readonly<Record<AlertSeverity, 'critical' | 'warning' | 'info'>> = { page: 'critical', ticket: 'warning', info: 'info' }

// PagerDuty refuses a longer summary.
const MAX_SUMMARY = 1023

/**
 * A PagerDuty Events API v2 event: `trigger` while firing (again at each repeat: PagerDuty
 * folds it into the open incident), `resolve` after, both with the fingerprint as `dedup_key`.
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 */
export function pagerdutyEvent (notice: AlertNotice, routingKey: string, context: NotifierContext): Record<string, unknown> {
  if (notice.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: notice.fingerprint }
  const line = `${headline(notice)}${notice.annotations.summary === undefined ? '' : `: ${notice.annotations.summary}`}`
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: notice.fingerprint,
    client: 'vigie',
    payload: {
      summary: line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line,
      source: context.hostname,
      severity: PAGERDUTY_SEVERITY[notice.severity],
      timestamp: rfc3339(notice.startsAt),
      component: notice.labels.controller ?? notice.labels.slo ?? notice.rule,
      class: notice.rule,
      custom_details: {
        value: notice.value,
        threshold: notice.threshold,
        labels: notice.labels,
        annotations: notice.annotations,
        repeat: notice.repeat,
      },
    },
  }
}

/** Sends Events API v2 events (the routing key is the secret). */
export function pagerdutyNotifier (options: Extract<ResolvedNotifier, { type: 'pagerduty' }>, context: NotifierContext): Notifier {
  return {
    secrets: [options.routingKey, options.url],
    async send (notice, signal) {
      await discard(await request(options.url, { body: pagerdutyEvent(notice, options.routingKey, context), signal }))
    },
  }
}
