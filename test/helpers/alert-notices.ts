import type { AlertNotice } from '../../lib/alerts/alert-notice.ts'

/** A notice as the alert engine hands it over: `slow-checkout` firing at ticket severity, unless `changes` say otherwise. */
export function alertNotice (changes: Partial<AlertNotice> = {}): AlertNotice {
  return {
    rule: 'slow-checkout',
    severity: 'ticket',
    status: 'firing',
    value: 612.5,
    threshold: 500,
    labels: { alertname: changes.rule ?? 'slow-checkout', severity: changes.severity ?? 'ticket', controller: '/checkout' },
    annotations: { summary: 'p90 of http_request.response_time over 5m is 612.5 (above 500)', description: 'The checkout answers slowly.' },
    startsAt: Date.UTC(2026, 11, 3, 7, 0, 0),
    endsAt: null,
    fingerprint: '3f2a9c0d11e4b5a6',
    repeat: false,
    ...changes,
  }
}

/** The same alert, resolved. */
export function resolvedNotice (changes: Partial<AlertNotice> = {}): AlertNotice {
  return alertNotice({ status: 'resolved', value: 380, endsAt: Date.UTC(2026, 11, 3, 7, 20, 0), ...changes })
}
