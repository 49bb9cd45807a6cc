import { createHash } from 'node:crypto'
import type { AlertSeverity } from '../types.ts'

/** `alertname`, `severity`, then the rule's own labels (its tags, or `slo`), which cannot replace those two. */
export function alertLabels (rule: string, severity: AlertSeverity, own: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.freeze({ ...own, alertname: rule, severity })
}

/**
 * 16 hex digits (64 bits, as Alertmanager's fingerprints) of SHA-256 over the labels sorted by
 * name: the same rule and labels give the same fingerprint in every process and after restarts.
 */
export function fingerprint (labels: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256')
  for (const key of Object.keys(labels).sort()) hash.update(`${key}\u0000${labels[key]}\u0000`)
  return hash.digest('hex').slice(0, 16)
}
