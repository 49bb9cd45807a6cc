import { alertmanagerConfig } from './alertmanager-config.ts'
import { datadogExport } from './datadog.ts'
import type { Definitions } from './definitions.ts'
import { grafanaDashboard } from './grafana-dashboard.ts'
import { prometheusRules } from './prometheus-rules.ts'
import type { Flavour } from './prometheus-names.ts'
import { statsdExporterMapping } from './statsd-exporter-mapping.ts'
import { toYaml } from './yaml.ts'

/** The formats `vigie export` writes. */
export const FORMATS = ['prometheus-rules', 'statsd-exporter-mapping', 'alertmanager', 'grafana', 'datadog'] as const
export type Format = typeof FORMATS[number]

export interface ExportOptions {
  /** Which names the Prometheus rules and the Grafana dashboard read (default `vigie`: vigie's own `/metrics`). */
  readonly names?: Flavour
}

/**
 * The text of one export of `definitions`: the same input gives the same bytes. What could not
 * be expressed exactly is said in `#` comments at the top of the YAML formats; JSON has no
 * comments: the Grafana dashboard says it in its `description`, the Datadog objects in `_notes`.
 */
export function exportText (format: Format, definitions: Definitions, options: ExportOptions = {}): string {
  const notes: string[] = []
  const header = (what: string): string[] => [`${what}, written by \`vigie export ${format}\` from the app's own definitions.`, 'Generated: edit the definitions, not this file.']
  switch (format) {
    case 'prometheus-rules': {
      const flavour = options.names ?? 'vigie'
      const rules = prometheusRules({ slos: definitions.slos, rules: definitions.alerts.rules, service: definitions.service, flavour }, notes)
      const over = flavour === 'vigie' ? 'vigie\'s own /metrics' : 'prometheus/statsd_exporter with the mapping of `vigie export statsd-exporter-mapping`'
      return toYaml(rules, [...header(`Prometheus recording and alerting rules (sloth-compatible names) over the series of ${over}`), ...noteLines(notes)])
    }
    case 'statsd-exporter-mapping':
      return toYaml(statsdExporterMapping(definitions.prefix), header('A prometheus/statsd_exporter mapping for vigie\'s StatsD lines'))
    case 'alertmanager': {
      const placeholders: string[] = []
      const config = alertmanagerConfig(definitions.alerts.plans, placeholders, notes)
      const secrets = placeholders.length === 0 ? [] : ['', 'Replace each placeholder before use (none of the values is written here):', ...placeholders.map((name) => `  ${name}`)]
      return toYaml(config, [...header('An Alertmanager configuration that routes the exported alerts by severity, as alerts.plans does'), ...secrets, ...noteLines(notes)])
    }
    case 'grafana':
      return toJson(grafanaDashboard({ slos: definitions.slos, service: definitions.service, flavour: options.names ?? 'vigie' }, notes))
    case 'datadog': {
      const placeholders: string[] = []
      const objects = datadogExport({ slos: definitions.slos, rules: definitions.alerts.rules, plans: definitions.alerts.plans, prefix: definitions.prefix, service: definitions.service }, placeholders, notes)
      const head = [
        `Datadog objects over vigie's DogStatsD lines (prefix "${definitions.prefix}"), written by \`vigie export datadog\` from the app's own definitions. Generated: edit the definitions, not this file.`,
        'POST each of "slos" to /api/v1/slo; replace <SLO_ID:name> in the "slo alert" monitors with the id Datadog answers; POST each of "monitors" to /api/v1/monitor. Leave this "_notes" out.',
        ...(placeholders.length === 0 ? [] : [`Replace each placeholder with the name of the handle in Datadog's integration (none of the values is written here): ${placeholders.join(', ')}.`]),
      ]
      return toJson({ _notes: [...head, ...notes], ...objects })
    }
  }
}

/** Two-space JSON and a final line feed: the same object gives the same bytes. */
function toJson (value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

function noteLines (notes: readonly string[]): string[] {
  return notes.length === 0 ? [] : ['', 'Notes:', ...notes.map((note) => `- ${note}`)]
}
