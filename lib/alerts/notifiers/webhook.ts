import type { AlertNotice } from '../alert-notice.ts'
import type { ResolvedNotifier } from '../../options/resolve-plans.ts'
import { discard, request, rfc3339, type Notifier } from './notifier.ts'

/** Alertmanager's zero time: the `endsAt` of an alert still firing. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

/** Alertmanager's webhook payload, version 4: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config */
export interface AlertmanagerPayload {
  version: '4'
  groupKey: string
  truncatedAlerts: number
  status: 'firing' | 'resolved'
  receiver: string
  groupLabels: Record<string, string>
  commonLabels: Record<string, string>
  commonAnnotations: Record<string, string>
  externalURL: string
  alerts: Array<{
    status: 'firing' | 'resolved'
    labels: Record<string, string>
    annotations: Record<string, string>
    startsAt: string
    endsAt: string
    generatorURL: string
    fingerprint: string
  }>
}

/**
 * One notice as Alertmanager would post it: a group of one alert, grouped by all its labels
 * (the group key lists them, sorted, as Alertmanager writes `group_by: ['...']` keys).
 */
export function alertmanagerPayload (notice: AlertNotice): AlertmanagerPayload {
  const labels = { ...notice.labels }
  const annotations = { ...notice.annotations }
  const key = Object.keys(labels).sort().map((name) => `${name}=${JSON.stringify(labels[name])}`).join(',')
  return {
    version: '4',
    groupKey: `{}:{${key}}`,
    truncatedAlerts: 0,
    status: notice.status,
    receiver: 'vigie',
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: '',
    alerts: [{
      status: notice.status,
      labels,
      annotations,
      startsAt: rfc3339(notice.startsAt),
      endsAt: notice.endsAt === null ? ZERO_TIME : rfc3339(notice.endsAt),
      generatorURL: '',
      fingerprint: notice.fingerprint,
    }],
  }
}

/** Posts the Alertmanager webhook payload: every Alertmanager receiver works unchanged. */
export function webhookNotifier (options: Extract<ResolvedNotifier, { type: 'webhook' }>): Notifier {
  return {
    secrets: [options.url, ...Object.values(options.headers)],
    async send (notice, signal) {
      await discard(await request(options.url, { headers: options.headers, body: alertmanagerPayload(notice), signal }))
    },
  }
}
