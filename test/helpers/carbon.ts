import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import type { Test } from 'tap'
import { freeTcpPort } from './closed-ports.ts'
import { spawnDaemon } from './daemon.ts'
import type { SystemProgram } from './system-packages.ts'

/** Graphite's carbon and whisper's reader: Debian's `graphite-carbon` (whisper-fetch comes with it, from python3-whisper). */
export const CARBON_CACHE: SystemProgram = { path: '/usr/bin/carbon-cache', debianPackage: 'graphite-carbon' }
export const WHISPER_FETCH: SystemProgram = { path: '/usr/bin/whisper-fetch', debianPackage: 'graphite-carbon' }

export interface RealCarbon {
  /** Its plaintext line receiver on 127.0.0.1. */
  readonly port: number
  readonly pid: number
  /**
   * Every series carbon stored, by name as carbon normalized it (`name;k=v;…`, tags sorted), with
   * its whisper file: a tagged series is at `_tagged/<h[0:3]>/<h[3:6]>/<name, "." as "_DOT_">.wsp`,
   * h = sha256(name); an untagged one at its dotted path.
   */
  series: () => Map<string, string>
  /** The non-null points of a series' whisper file, read by whisper-fetch. */
  points: (name: string) => number[]
  /** What it printed so far. */
  log: () => string
}

/**
 * A real carbon-cache on 127.0.0.1 (free ports, a throwaway storage dir, every series 1 s per point
 * for an hour, no limit on creates or updates, human-readable file names for tagged series, no tag
 * database: there is no graphite-web here). Ready when its line receiver accepts a connection;
 * stopped and removed with the test.
 */
export async function startCarbon (t: Test): Promise<RealCarbon> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-carbon-'))
  const whisper = join(dir, 'whisper')
  for (const sub of ['whisper', 'log', 'run']) mkdirSync(join(dir, sub))
  const [line, pickle, query] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()]
  writeFileSync(join(dir, 'carbon.conf'), [
    '[cache]',
    `STORAGE_DIR = ${dir}/`,
    `LOCAL_DATA_DIR = ${whisper}/`,
    `CONF_DIR = ${dir}/`,
    `LOG_DIR = ${dir}/log/`,
    `PID_DIR = ${dir}/run/`,
    'USER =',
    'MAX_CACHE_SIZE = inf',
    'MAX_UPDATES_PER_SECOND = inf',
    'MAX_CREATES_PER_MINUTE = inf',
    'LINE_RECEIVER_INTERFACE = 127.0.0.1',
    `LINE_RECEIVER_PORT = ${line}`,
    'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
    `PICKLE_RECEIVER_PORT = ${pickle}`,
    'CACHE_QUERY_INTERFACE = 127.0.0.1',
    `CACHE_QUERY_PORT = ${query}`,
    'ENABLE_UDP_LISTENER = False',
    'ENABLE_TAGS = False',
    'TAG_HASH_FILENAMES = False',
    'WHISPER_AUTOFLUSH = True',
    '',
  ].join('\n'))
  writeFileSync(join(dir, 'storage-schemas.conf'), '[default]\npattern = .*\nretentions = 1s:1h\n')
  const { child, log } = spawnDaemon(t, dir, CARBON_CACHE.path, [`--config=${join(dir, 'carbon.conf')}`, '--debug', 'start'])
  const deadline = Date.now() + 20_000
  while (!await accepts(line)) {
    if (child.exitCode !== null) throw new Error(`carbon-cache exited (${child.exitCode}):\n${log()}`)
    if (Date.now() > deadline) throw new Error(`carbon-cache not listening within 20 s:\n${log()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    port: line,
    pid: child.pid!,
    log,
    series () {
      const out = new Map<string, string>()
      for (const file of walk(whisper)) {
        const path = relative(whisper, file).slice(0, -'.wsp'.length).split(sep)
        const name = path[0] === '_tagged' ? path.slice(3).join('/').replaceAll('_DOT_', '.') : path.join('.')
        out.set(name, file)
      }
      return out
    },
    points (name) {
      const file = this.series().get(name)
      if (file === undefined) return []
      const read = spawnSync(WHISPER_FETCH.path, ['--json', `--from=${Math.floor(Date.now() / 1000) - 3500}`, file], { encoding: 'utf8', timeout: 30_000 })
      if (read.status !== 0) throw new Error(`whisper-fetch ${file} failed:\n${read.stderr}`)
      return (JSON.parse(read.stdout) as { values: Array<number | null> }).values.filter((value): value is number => value !== null)
    },
  }
}

/** The whisper file carbon keeps a tagged series in, as its docs say: under `_tagged`, in folders named by the series' sha256. */
export function taggedPath (name: string): string {
  const hash = createHash('sha256').update(name).digest('hex')
  return join('_tagged', hash.slice(0, 3), hash.slice(3, 6), `${name.replaceAll('.', '_DOT_')}.wsp`)
}

function * walk (dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield * walk(path)
    else if (entry.name.endsWith('.wsp')) yield path
  }
}

async function accepts (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}
