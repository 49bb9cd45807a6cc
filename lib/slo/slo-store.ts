// The SLO store's file: what it holds, written whole and atomically (a temporary file, synced,
// then renamed over the old one), read back at start. Layout, all integers little-endian but
// the counts (the platform's order, named in the header):
//   "VIGIESLO" | u32 format | u32 header length | header (JSON) | per SLO: good u32[n], total u32[n], seen u8[n] | u32 CRC-32 of all before
// The header lists, per SLO, the identity of its counts (what decides which events count and
// how), its number of minutes and its newest minute.

import { open, rename, rm } from 'node:fs/promises'
import { readFileSync, renameSync, statSync } from 'node:fs'
import { endianness } from 'node:os'
import { crc32 } from 'node:zlib'
import { VERSION } from '../version.ts'

const MAGIC = Buffer.from('VIGIESLO', 'latin1')
/** The format of the file; another is foreign. */
export const STORE_FORMAT = 1
const PREFIX_BYTES = MAGIC.length + 8
const MAX_HEADER_BYTES = 1024 * 1024
const BYTES_PER_MINUTE = 9

/** One SLO's counts as stored: rings indexed by epoch minute mod `minutes`. */
export interface StoredCounts {
  readonly identity: string
  readonly head: number
  readonly good: Uint32Array
  readonly total: Uint32Array
  readonly seen: Uint8Array
}

interface Header {
  readonly format: number
  readonly vigie: string
  readonly endianness: string
  readonly savedAt: number
  readonly slos: ReadonlyArray<{ readonly identity: string, readonly minutes: number, readonly head: number }>
}

export type StoreRead =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok', readonly slos: readonly StoredCounts[] }
  /** Not a store, or a damaged one. */
  | { readonly kind: 'corrupt', readonly reason: string }
  /** A sound store this process cannot use: another format, byte order, or one from the future. */
  | { readonly kind: 'foreign', readonly reason: string }
  /** The file is there, and could not be read (permissions, a directory). */
  | { readonly kind: 'unreadable', readonly reason: string }

/** The file's bytes for these counts, taken now (a copy: the rings go on changing). */
export function encodeStore (slos: readonly StoredCounts[], savedAt: number): Buffer {
  const header: Header = {
    format: STORE_FORMAT,
    vigie: VERSION,
    endianness: endianness(),
    savedAt,
    slos: slos.map(({ identity, head, seen }) => ({ identity, minutes: seen.length, head })),
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  const size = PREFIX_BYTES + headerBytes.length + slos.reduce((sum, slo) => sum + slo.seen.length * BYTES_PER_MINUTE, 0) + 4
  const out = Buffer.allocUnsafe(size)
  let at = MAGIC.copy(out, 0)
  at = out.writeUInt32LE(STORE_FORMAT, at)
  at = out.writeUInt32LE(headerBytes.length, at)
  at += headerBytes.copy(out, at)
  for (const slo of slos) {
    for (const array of [slo.good, slo.total, slo.seen]) {
      at += Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, at)
    }
  }
  out.writeUInt32LE(crc32(out.subarray(0, at)), at)
  return out
}

/** Reads a store's bytes. `nowMinute`: a store whose newest minute is after it (and the next) was written by a clock ahead of ours. */
export function decodeStore (bytes: Buffer, nowMinute: number): StoreRead {
  if (bytes.length < PREFIX_BYTES + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'corrupt', reason: 'not an SLO store' }
  const format = bytes.readUInt32LE(MAGIC.length)
  if (format !== STORE_FORMAT) return { kind: 'foreign', reason: `store format ${format}, this vigie (${VERSION}) reads format ${STORE_FORMAT}` }
  const end = bytes.length - 4
  if (crc32(bytes.subarray(0, end)) !== bytes.readUInt32LE(end)) return { kind: 'corrupt', reason: 'checksum mismatch' }
  const headerLength = bytes.readUInt32LE(MAGIC.length + 4)
  if (headerLength > MAX_HEADER_BYTES || PREFIX_BYTES + headerLength > end) return { kind: 'corrupt', reason: 'bad header length' }
  let header: Header
  try {
    header = JSON.parse(bytes.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength)) as Header
  } catch {
    return { kind: 'corrupt', reason: 'unreadable header' }
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.slos)) return { kind: 'corrupt', reason: 'bad header' }
  if (header.endianness !== endianness()) return { kind: 'foreign', reason: `written on a ${String(header.endianness)} machine` }
  let at = PREFIX_BYTES + headerLength
  const slos: StoredCounts[] = []
  for (const entry of header.slos as unknown[]) {
    const { identity, minutes, head } = (entry ?? {}) as Record<string, unknown>
    if (typeof identity !== 'string' || !Number.isSafeInteger(minutes) || (minutes as number) < 1 || !Number.isSafeInteger(head)) {
      return { kind: 'corrupt', reason: 'bad header entry' }
    }
    const n = minutes as number
    if (at + n * BYTES_PER_MINUTE > end) return { kind: 'corrupt', reason: 'truncated counts' }
    if ((head as number) > nowMinute + 1) return { kind: 'foreign', reason: 'written by a clock ahead of this one' }
    const copy = (bytesPer: number): ArrayBuffer => {
      // A copy, aligned for the Uint32Array.
      const slice = new Uint8Array(bytes.subarray(at, at + n * bytesPer)).buffer as ArrayBuffer
      at += n * bytesPer
      return slice
    }
    slos.push({ identity, head: head as number, good: new Uint32Array(copy(4)), total: new Uint32Array(copy(4)), seen: new Uint8Array(copy(1)) })
  }
  if (at !== end) return { kind: 'corrupt', reason: 'trailing bytes' }
  return { kind: 'ok', slos }
}

/** The store at `path`, at most `maxBytes` read (a larger file is not ours: foreign). Never throws. */
export function readStore (path: string, maxBytes: number, nowMinute: number): StoreRead {
  try {
    const size = statSync(path).size
    if (size > maxBytes) return { kind: 'foreign', reason: `${size} bytes, more than the ${maxBytes} these SLOs write` }
    return decodeStore(readFileSync(path), nowMinute)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' }
    return { kind: 'unreadable', reason: (err as NodeJS.ErrnoException).code ?? 'read failed' }
  }
}

/** The most bytes a store of SLOs of these sizes (in minutes) takes: larger is not theirs. */
export function maxStoreBytes (minutes: readonly number[]): number {
  return PREFIX_BYTES + MAX_HEADER_BYTES + minutes.reduce((sum, n) => sum + n * BYTES_PER_MINUTE, 0) + 4
}

/** Renames `path` to `<path>.<kind>-<epoch ms>`; returns the new name, or null when that failed. Never throws. */
export function setAside (path: string, kind: string, now: number): string | null {
  const aside = `${path}.${kind}-${now}`
  try {
    renameSync(path, aside)
    return aside
  } catch {
    return null
  }
}

/** Writes `bytes` to `path` atomically: a temporary file beside it, synced, then renamed over it. */
export async function writeStore (path: string, bytes: Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  try {
    const handle = await open(temporary, 'w', 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => {})
    throw err
  }
}
