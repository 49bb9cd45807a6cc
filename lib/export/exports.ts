import { alertmanagerConfig } from './alertmanager-config.js'
import type { Definitions } from './definitions.js'
import { prometheusRules } from './prometheus-rules.js'
import type { Flavour } from './prometheus-names.js'
import { statsdExporterMapping } from './statsd-exporter-mapping.js'
import { toYaml } from './yaml.js'

/** The formats `vigie export` writes. */
export const FORMATS = ['prometheus-rules', 'statsd-exporter-mapping', 'alertmanager'] as const
export type Format = typeof FORMATS[number]

export interface ExportOptions {
  /** Which names the Prometheus rules read (default `vigie`: vigie's own `/metrics`). */
  readonly names?: Flavour
}

/**
 * The text of one export of `definitions`: the same input gives the same bytes. What could not
 * be expressed exactly is said in `#` comments at the top.
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
  }
}

function noteLines (notes: readonly string[]): string[] {
  return notes.length === 0 ? [] : ['', 'Notes:', ...notes.map((note) => `- ${note}`)]
}
