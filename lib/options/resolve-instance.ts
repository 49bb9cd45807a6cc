import cluster from 'node:cluster'
import { hostname } from 'node:os'
import type { OptionChecks } from './validators.ts'

const MAX_INSTANCE_CHARS = 128
// A hostname's characters: safe as a tag value in both StatsD tag formats and as a label value.
const INSTANCE = /^[A-Za-z0-9._-]{1,128}$/

/**
 * This process's name among the app's instances: the host's name (`HOSTNAME`, else the OS's),
 * with the worker's number under PM2 (`NODE_APP_INSTANCE`, stable across restarts) or
 * `node:cluster` (`cluster.worker.id`). Never the pid: a restart would start a new series.
 */
export function defaultInstance (env: Readonly<Record<string, string | undefined>> = process.env): string {
  let host = env.HOSTNAME ?? ''
  if (host === '') {
    try {
      host = hostname()
    } catch {
      host = 'localhost'
    }
  }
  const pm2 = env.NODE_APP_INSTANCE
  const worker = pm2 !== undefined && /^\d{1,6}$/.test(pm2) ? pm2 : cluster.isWorker && cluster.worker !== undefined ? String(cluster.worker.id) : null
  const name = worker === null ? host : `${host}-w${worker}`
  let safe = ''
  for (const ch of name) safe += /[A-Za-z0-9._-]/.test(ch) ? ch : '_'
  return safe === '' ? 'localhost' : safe.slice(0, MAX_INSTANCE_CHARS)
}

/** The `instance` option: the default name, one of the app's, or null (`false`). */
export function resolveInstance (value: unknown, check: OptionChecks, env: Readonly<Record<string, string | undefined>>): string | null {
  if (value === false || value === 'false') return null
  if (value === undefined || value === true) return defaultInstance(env)
  if (typeof value !== 'string' || !INSTANCE.test(value)) {
    throw check.invalid('instance', `false, or 1 to ${MAX_INSTANCE_CHARS} letters, digits and "._-"`, value)
  }
  return value
}
