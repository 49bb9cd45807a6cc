import { invalidOption, VigieError, ERROR_CODES } from '../errors.ts'
import { resolveAlerts, type ResolvedAlerts } from '../options/resolve-alerts.ts'
import { resolveSlos, type ResolvedSlo } from '../options/resolve-slos.ts'

/** What the exports are built from: the app's own `slos` and `alerts`, checked as the app checks them. */
export interface Definitions {
  readonly slos: readonly ResolvedSlo[]
  readonly alerts: ResolvedAlerts
  /** `statsd.prefix`, which the StatsD lines carry. */
  readonly prefix: string
  /** The app's name: `sloth_service`, and in rule group names. */
  readonly service: string
}

const SERVICE = /^[A-Za-z0-9._-]{1,64}$/

/**
 * Reads the definitions from a config module's exports: named `slos`, `alerts`, and optionally
 * `statsd` (its `prefix`) and `service`, or the same on its default export. The e-mail notifier's
 * transport is not loaded: nothing is sent from here.
 */
export function definitionsOf (exports: Record<string, unknown>, overrides: { service?: string, prefix?: string } = {}): Definitions {
  const source = (exports.slos === undefined && exports.alerts === undefined && isRecord(exports.default) ? exports.default : exports) as Record<string, unknown>
  if (source.slos === undefined && source.alerts === undefined) {
    throw new VigieError(ERROR_CODES.INVALID_OPTION, 'vigie export: the config module exports neither "slos" nor "alerts" (export the objects the app passes to vigie)', { options: ['slos', 'alerts'] })
  }
  const slos = resolveSlos(source.slos, invalidOption)
  const alerts = resolveAlerts(source.alerts as Record<string, unknown> | undefined, invalidOption, () => ({ createTransport: () => null }))
  const statsd = isRecord(source.statsd) ? source.statsd : {}
  const prefix = overrides.prefix ?? (typeof statsd.prefix === 'string' ? statsd.prefix : '')
  const service = overrides.service ?? (typeof source.service === 'string' ? source.service : 'app')
  if (!SERVICE.test(service)) throw invalidOption('service', '1 to 64 letters, digits and "._-"', service)
  return { slos, alerts, prefix, service }
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
