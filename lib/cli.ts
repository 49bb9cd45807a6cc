#!/usr/bin/env node
// `vigie export <format> --config <module>`: what the app's SLOs and alerts become for a fleet's
// engines (docs/fleet.md). Prints to stdout; errors go to stderr with exit code 1, usage errors 2.
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { definitionsOf } from './export/definitions.ts'
import { FORMATS, exportText, type Format } from './export/exports.ts'

const USAGE = `Usage: vigie export <format> --config <module> [--names vigie|statsd-exporter] [--service <name>] [--prefix <statsd prefix>]

Formats: ${FORMATS.join(', ')}

The module exports the objects the app gives vigie: \`slos\`, \`alerts\`, and optionally \`statsd\`
(for its prefix) and \`service\` (the app's name in the rules), as named exports or on its default
export. --names picks the series the Prometheus rules and the Grafana dashboard read (default
vigie: vigie's own /metrics). See docs/fleet.md.`

async function main (argv: readonly string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        names: { type: 'string' },
        service: { type: 'string' },
        prefix: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    return usage((err as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const [command, format, ...rest] = positionals
  if (command !== 'export') return usage(command === undefined ? 'no command' : `unknown command "${command}"`)
  if (!FORMATS.includes(format as Format)) return usage(format === undefined ? 'no format' : `unknown format "${format}"`)
  if (rest.length > 0) return usage(`unexpected "${rest.join(' ')}"`)
  if (values.config === undefined) return usage('--config <module> is required')
  if (values.names !== undefined && values.names !== 'vigie' && values.names !== 'statsd-exporter') return usage(`--names must be "vigie" or "statsd-exporter", not "${values.names}"`)
  try {
    const exports = await import(pathToFileURL(resolve(values.config)).href) as Record<string, unknown>
    const definitions = definitionsOf(exports, { service: values.service, prefix: values.prefix })
    process.stdout.write(exportText(format as Format, definitions, { names: values.names as 'vigie' | 'statsd-exporter' | undefined }))
    return 0
  } catch (err) {
    process.stderr.write(`vigie export: ${(err as Error)?.message ?? String(err)}\n`)
    return 1
  }
}

function usage (problem: string): number {
  process.stderr.write(`vigie: ${problem}\n\n${USAGE}\n`)
  return 2
}

process.exitCode = await main(process.argv.slice(2))
