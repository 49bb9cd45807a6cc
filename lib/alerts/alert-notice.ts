import type { AlertSeverity } from '../types.ts'

/**
 * What the alert engine hands to the notifiers when a rule fires, fires again (after
 * `repeatInterval`) or resolves. Everything in it may be sent out: no secret goes in.
 */
export interface AlertNotice {
  /** The rule's name (the `alertname` label). */
  readonly rule: string
  readonly severity: AlertSeverity
  readonly status: 'firing' | 'resolved'
  /** The value that made it fire or resolve; null when there was nothing to read. */
  readonly value: number | null
  /** The rule's threshold (for burn-rate rules, the burn rate that fires). */
  readonly threshold: number
  /** `alertname`, `severity`, and the rule's tags (the `slo` name for burn-rate rules). */
  readonly labels: Readonly<Record<string, string>>
  /** `summary` (one line) and `description`. */
  readonly annotations: Readonly<Record<string, string>>
  /** Epoch ms the rule started firing. */
  readonly startsAt: number
  /** Epoch ms it resolved; null while firing. */
  readonly endsAt: number | null
  /** Stable per rule and labels (hex): the dedup key for PagerDuty, the label for GitHub issues. */
  readonly fingerprint: string
  /** true for the notice repeated after `repeatInterval` while still firing. */
  readonly repeat: boolean
}

/** Delivers notices to the plan of their severity, off the request path. */
export interface AlertDispatch {
  /** Queues a notice; never throws, never blocks. */
  notify: (notice: AlertNotice) => void
  /** Waits, within a bound, for what is queued; never rejects. */
  close: () => Promise<void>
}
