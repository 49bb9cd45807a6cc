import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Test } from 'tap'
import { freeTcpPort } from './closed-ports.ts'
import { spawnDaemon } from './daemon.ts'
import type { SystemProgram } from './system-packages.ts'

/** Prometheus' validator and Prometheus itself: Debian's `prometheus`. */
export const PROMTOOL: SystemProgram = { path: '/usr/bin/promtool', debianPackage: 'prometheus' }
export const PROMETHEUS: SystemProgram = { path: '/usr/bin/prometheus', debianPackage: 'prometheus' }
/** Alertmanager and its config checker: Debian's `prometheus-alertmanager`. */
export const AMTOOL: SystemProgram = { path: '/usr/bin/amtool', debianPackage: 'prometheus-alertmanager' }
export const ALERTMANAGER: SystemProgram = { path: '/usr/bin/prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' }

/** `promtool check metrics` on `exposition` (its stdin): its exit code and what it wrote. */
export async function promtoolCheck (exposition: string): Promise<{ code: number | null, output: string }> {
  const child = spawn(PROMTOOL.path, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stdin.end(exposition)
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { code, output }
}

/** The samples of a text exposition, by `name{labels}` as written (comments left out). */
export function samples (exposition: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    const value = line.slice(space + 1)
    out.set(line.slice(0, space), value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value))
  }
  return out
}

/** The sum of every sample of `name` whose labels include each of `labels` (`k="v"` strings). */
export function sumOf (all: Map<string, number>, name: string, ...labels: string[]): number {
  let sum = 0
  for (const [key, value] of all) {
    const brace = key.indexOf('{')
    if ((brace === -1 ? key : key.slice(0, brace)) !== name) continue
    if (labels.every((label) => key.includes(label))) sum += value
  }
  return sum
}

export interface RealPrometheus {
  readonly url: string
  readonly pid: number
  /** What it printed so far. */
  log: () => string
  /** The result of an instant query: its vector, as `{ metric, value: [time, text] }`. */
  query: (promql: string) => Promise<Array<{ metric: Record<string, string>, value: [number, string] }>>
}

/**
 * A real Prometheus on 127.0.0.1 (a free port, a throwaway data dir) scraping `targets`
 * (`host:port`) every second at `metricsPath`, with `bearer` as its credentials when given;
 * evaluating `ruleFiles` every second and sending alerts to `alertmanager` (`host:port`) when
 * given. Ready when `/-/ready` answers; stopped and removed with the test.
 */
export async function startPrometheus (t: Test, targets: readonly string[], options: { metricsPath?: string, bearer?: string, ruleFiles?: readonly string[], alertmanager?: string } = {}): Promise<RealPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-prometheus-'))
  const port = await freeTcpPort()
  const config = join(dir, 'prometheus.yml')
  writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    ...(options.ruleFiles === undefined ? [] : ['rule_files:', ...options.ruleFiles.map((file) => `  - '${file}'`)]),
    ...(options.alertmanager === undefined ? [] : ['alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ['${options.alertmanager}']`]),
    'scrape_configs:',
    '  - job_name: vigie',
    `    metrics_path: ${options.metricsPath ?? '/metrics'}`,
    ...(options.bearer === undefined ? [] : ['    authorization:', `      credentials: ${options.bearer}`]),
    '    static_configs:',
    `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
    '',
  ].join('\n'))
  const { url, child, log } = await startDaemon(t, dir, PROMETHEUS.path, port, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`])
  return {
    url,
    pid: child.pid!,
    log,
    async query (promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      const body = await response.json() as { status: string, data: { result: Array<{ metric: Record<string, string>, value: [number, string] }> } }
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`)
      return body.data.result
    },
  }
}

export interface RealAlertmanager {
  /** `127.0.0.1:<port>`, for Prometheus' `alerting` section. */
  readonly target: string
  readonly pid: number
  /** What it printed so far. */
  log: () => string
}

/**
 * A real Alertmanager on 127.0.0.1 (a free port, a throwaway storage dir, gossip off) with
 * `config` (YAML) as its configuration. Ready when `/-/ready` answers; stopped and removed with
 * the test.
 */
export async function startAlertmanager (t: Test, config: string): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-alertmanager-'))
  const port = await freeTcpPort()
  const file = join(dir, 'alertmanager.yml')
  writeFileSync(file, config)
  const { child, log } = await startDaemon(t, dir, ALERTMANAGER.path, port, [`--config.file=${file}`, `--storage.path=${join(dir, 'data')}`, '--cluster.listen-address='])
  return { target: `127.0.0.1:${port}`, pid: child.pid!, log }
}

/** Starts `program` listening on 127.0.0.1:`port`; resolves once `/-/ready` answers 200. Killed, and `dir` removed, with the test. */
async function startDaemon (t: Test, dir: string, program: string, port: number, args: string[]): Promise<{ url: string, child: ChildProcess, log: () => string }> {
  const { child, log } = spawnDaemon(t, dir, program, [...args, `--web.listen-address=127.0.0.1:${port}`])
  const name = basename(program)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${log()}`)
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`${name} not ready within 20 s:\n${log()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, child, log }
}
