// The registry written out in one of the two text formats Prometheus scrapes: its own text
// format 0.0.4, and OpenMetrics 1.0 for a scraper that asks for it in `Accept` (Prometheus
// itself does, first).

import { BUCKET_BOUNDS_MS, DROPPED_METRIC, type DropReason, type PrometheusFamily, type PrometheusRegistry } from './prometheus-registry.ts'

export type ExpositionFormat = 'text' | 'openmetrics'

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = Object.freeze({
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
})

/** `le` values: text as Prometheus' Go client writes them, OpenMetrics as floats (`1.0`). */
const LE: Readonly<Record<ExpositionFormat, readonly string[]>> = Object.freeze({
  text: Object.freeze([...BUCKET_BOUNDS_MS.map((ms) => String(ms / 1000)), '+Inf']),
  openmetrics: Object.freeze([...BUCKET_BOUNDS_MS.map((ms) => asFloat(ms / 1000)), '+Inf']),
})

const DROPPED_HELP = 'Values vigie recorded but does not expose: past the series cap, under a name another metric took, or not a valid value.'
const DROP_REASONS: readonly DropReason[] = Object.freeze(['series_cap', 'name_conflict', 'invalid_value'])

/** OpenMetrics when `Accept` names it (with a weight above 0), else the text format. */
export function formatFor (accept: string | string[] | undefined): ExpositionFormat {
  const header = Array.isArray(accept) ? accept.join(',') : accept
  if (header === undefined || !header.includes('application/openmetrics-text')) return 'text'
  for (const range of header.split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim())
    if (type !== 'application/openmetrics-text') continue
    const q = params.find((param) => param.startsWith('q='))
    if (q === undefined || Number(q.slice(2)) > 0) return 'openmetrics'
  }
  return 'text'
}

/** Everything in `registry`, and its count of dropped values, in `format`. */
export function expose (registry: PrometheusRegistry, format: ExpositionFormat): string {
  const out: string[] = []
  for (const family of registry.families()) writeFamily(out, family, format)
  const dropped = registry.dropped()
  writeHeader(out, DROPPED_METRIC, 'counter', DROPPED_HELP, format)
  for (const reason of DROP_REASONS) out.push(`${DROPPED_METRIC}{reason="${reason}"} ${dropped[reason]}\n`)
  if (format === 'openmetrics') out.push('# EOF\n')
  return out.join('')
}

function writeFamily (out: string[], family: PrometheusFamily, format: ExpositionFormat): void {
  if (family.series.size === 0) return
  writeHeader(out, family.name, family.type, family.help, format)
  const name = family.name
  if (family.type !== 'histogram') {
    for (const series of family.series.values()) out.push(`${name}${braced(series.labels)} ${numberText(series.value)}\n`)
    return
  }
  const le = LE[format]
  for (const series of family.series.values()) {
    const prefix = series.labels === '' ? `${name}_bucket{le="` : `${name}_bucket{${series.labels},le="`
    const buckets = series.buckets!
    let cumulative = 0
    for (let i = 0; i < buckets.length; i++) {
      cumulative += buckets[i]!
      out.push(`${prefix}${le[i]!}"} ${cumulative}\n`)
    }
    out.push(`${name}_sum${braced(series.labels)} ${numberText(series.sumMs / 1000)}\n`)
    out.push(`${name}_count${braced(series.labels)} ${series.count}\n`)
  }
}

/** HELP and TYPE; in OpenMetrics a counter's family is named without `_total`, which only its sample carries. */
function writeHeader (out: string[], name: string, type: string, help: string, format: ExpositionFormat): void {
  const family = format === 'openmetrics' && type === 'counter' ? name.slice(0, -'_total'.length) : name
  out.push(`# HELP ${family} ${escapeHelp(help, format)}\n# TYPE ${family} ${type}\n`)
}

function braced (labels: string): string {
  return labels === '' ? '' : `{${labels}}`
}

/** Help text: `\` and line feeds escaped, and in OpenMetrics `"` too. */
function escapeHelp (help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped
}

/** A sample value: `NaN`, `+Inf` and `-Inf` as both formats spell them. */
export function numberText (value: number): string {
  if (Number.isFinite(value)) return String(value)
  if (Number.isNaN(value)) return 'NaN'
  return value > 0 ? '+Inf' : '-Inf'
}

function asFloat (value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value)
}
