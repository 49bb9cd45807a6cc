import { isCount, sketchFromWire, sketchToWire, type WireSketch } from '../aggregate/series-delta.ts'
import { addToSketch, mergeIntoSketch, newSketch, timingStatsOf, type Sketch } from '../aggregate/sketch.ts'
import type { FingerprintStats, TopQueries } from '../types.ts'
import type { QueryEvent } from './query-event.ts'
import { MAX_STATEMENT_CHARS, fingerprintStatement } from './statement-fingerprint.ts'
import { StatementMemo } from './statement-memo.ts'
import { statementOperation } from './statement-operation.ts'

/**
 * Per-fingerprint query stats, what pg_stat_statements gives a DBA, from the app's side, for the
 * top fingerprints by total time.
 *
 * Which fingerprints are kept: Space-Saving (Metwally, Agrawal and El Abbadi, ICDT 2005), weighted
 * by time. The table holds `capacity` fingerprints in a min-heap by rank (a kept fingerprint's
 * total time plus the rank it inherited). When the table is full, a new fingerprint takes the
 * place of the one of least rank, whose stats go to `other`, and inherits that rank. So a
 * fingerprint is admitted at once, and is only pushed out again by fingerprints that outrank
 * it: any fingerprint whose total time is above (all time recorded) / capacity is kept, whatever
 * the order queries came in (with 200, any with more than 0.5 % of the time), so one-off statements
 * cannot push the heavy ones out; lighter ones may give way to a churn of one-offs. An entry's
 * own figures (count, totalMs, …) are exact from the moment it was (last) admitted; the inherited
 * rank only orders evictions. Counting newcomers under `other` once full would be cheaper by one
 * heap step, but a query that became slow after the table filled (a new release, a growing
 * table) would never show: not the top by total time.
 *
 * Cost of a record: a memo lookup (StatementMemo: the statement's facts, its fingerprint and
 * operation, found once per distinct statement) or one fingerprint pass, a Map lookup, a
 * sketch add and a heap sift (log₂ 200 ≈ 8 steps). Memory: `capacity` entries, each with a
 * DDSketch (lib/aggregate/sketch.ts: 2 % relative accuracy on p90, exact count, sum and max, at
 * most 256 bins of 4 bytes, mergeable, which `other` needs), plus the memo's bound.
 */
export const DEFAULT_CAPACITY = 200
export const DEFAULT_MEMO_ENTRIES = 1000
export const DEFAULT_MEMO_CHARS = 1 << 20
/** A key's first character for mysql ('m'). */
const M = 109

/** The dialect a table key (statementKey) names by its first character. */
function systemOfKey (key: string): QueryEvent['system'] {
  return key.charCodeAt(0) === M ? 'mysql' : 'postgresql'
}

export interface FingerprintTableOptions {
  /** Fingerprints kept (default 200). */
  readonly capacity?: number
  /** Statements whose fingerprint is remembered, per dialect (default 1000). */
  readonly memoEntries?: number
  /** Characters of statements and fingerprints remembered, per dialect (default 1 Mi). */
  readonly memoChars?: number
}

/**
 * What a statement's text gives, remembered per distinct statement (StatementMemo): the table's
 * key of its fingerprint (statementKey) and its `db_operation` (statementOperation).
 */
export interface StatementFacts {
  readonly key: string
  readonly operation: string
}

function factsChars (facts: StatementFacts): number {
  return facts.key.length + facts.operation.length
}

/** A key `record()` returns: the statement's dialect and fingerprint. */
export function statementKey (key: string): { readonly system: QueryEvent['system'], readonly fingerprint: string } {
  return { system: systemOfKey(key), fingerprint: key.slice(1) }
}

/** The table of an app that counts no queries. */
export function emptyTopQueries (): TopQueries {
  return { queries: [], other: { fingerprints: 0, ...new Totals().figures() } }
}

/** Figures summed over queries: one fingerprint's, or `other`'s. */
class Totals {
  count = 0
  totalMs = 0
  maxMs = 0
  errors = 0
  rows = 0
  rowsReported = false
  sketch: Sketch = newSketch()

  add (durationMs: number, failed: boolean, rows: number | undefined): void {
    this.count++
    this.totalMs += durationMs
    if (durationMs > this.maxMs) this.maxMs = durationMs
    addToSketch(this.sketch, durationMs)
    if (failed) this.errors++
    if (rows !== undefined) {
      this.rows += rows
      this.rowsReported = true
    }
  }

  merge (other: Totals): void {
    this.count += other.count
    this.totalMs += other.totalMs
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs
    mergeIntoSketch(this.sketch, other.sketch)
    this.errors += other.errors
    this.rows += other.rows
    this.rowsReported ||= other.rowsReported
  }

  /** As plain data, for another process. */
  toWire (key: string): QueryDelta {
    return { key, count: this.count, totalMs: this.totalMs, maxMs: this.maxMs, errors: this.errors, rows: this.rowsReported ? this.rows : null, sketch: sketchToWire(this.sketch) }
  }

  /** What toWire() wrote; null for data no Totals could have written. */
  static fromWire (wire: QueryDelta): Totals | null {
    const { count, totalMs, maxMs, errors, rows } = wire
    const sketch = sketchFromWire(wire.sketch)
    if (sketch === null || sketch.count !== count || !isCount(errors) || errors > count || !(totalMs >= 0) || !(maxMs >= 0) ||
      totalMs === Infinity || (rows !== null && !isCount(rows))) return null
    const totals = new Totals()
    totals.count = count
    totals.totalMs = totalMs
    totals.maxMs = maxMs
    totals.errors = errors
    totals.rows = rows ?? 0
    totals.rowsReported = rows !== null
    totals.sketch = sketch
    return totals
  }

  figures (): Omit<FingerprintStats, 'fingerprint' | 'system'> {
    return {
      count: this.count,
      totalMs: this.totalMs,
      meanMs: this.count === 0 ? 0 : this.totalMs / this.count,
      maxMs: this.maxMs,
      p90Ms: this.count === 0 ? 0 : timingStatsOf(this.sketch).p90,
      errors: this.errors,
      rows: this.rowsReported ? this.rows : undefined,
    }
  }
}

class Entry extends Totals {
  /** Rank inherited on admission plus totalMs: what the heap orders by. */
  rank: number
  heapIndex = 0
  readonly key: string
  readonly fingerprint: string
  readonly system: QueryEvent['system']

  constructor (key: string, fingerprint: string, system: QueryEvent['system'], inherited: number) {
    super()
    this.key = key
    this.fingerprint = fingerprint
    this.system = system
    this.rank = inherited
  }
}

function positiveInteger (value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback
}

/** One fingerprint's figures over an interval, as one worker of a cluster sends them the others. */
export interface QueryDelta {
  /** The table's key: the dialect's initial and the fingerprint (never a value). */
  readonly key: string
  readonly count: number
  readonly totalMs: number
  readonly maxMs: number
  readonly errors: number
  /** null when the driver never said. */
  readonly rows: number | null
  readonly sketch: WireSketch
}

export class FingerprintTable {
  readonly capacity: number
  private readonly entries = new Map<string, Entry>()
  /** Once sharing (startSharing()): the figures recorded since the last takeShared(), per key, at most `capacity` keys. */
  private unshared: Map<string, Totals> | null = null
  /** Min-heap by rank. */
  private readonly heap: Entry[] = []
  private readonly memos: Record<QueryEvent['system'], StatementMemo<StatementFacts>>
  private other = new Totals()
  private otherFingerprints = 0

  constructor (options: FingerprintTableOptions = {}) {
    this.capacity = positiveInteger(options.capacity, DEFAULT_CAPACITY)
    const memoEntries = positiveInteger(options.memoEntries, DEFAULT_MEMO_ENTRIES)
    const memoChars = positiveInteger(options.memoChars, DEFAULT_MEMO_CHARS)
    this.memos = { postgresql: new StatementMemo(memoEntries, memoChars, factsChars), mysql: new StatementMemo(memoEntries, memoChars, factsChars) }
  }

  /**
   * Counts one finished query under its statement's fingerprint, and returns the table's key of
   * it (statementKey: its dialect and fingerprint), for the slow-query line and the N+1 check,
   * which then need not compute it again. `facts`: the event's statementFacts(), when the caller
   * has them already.
   */
  record (event: QueryEvent, facts: StatementFacts = this.statementFacts(event.statement, event.system)): string {
    const key = facts.key
    const system = systemOfKey(key)
    const duration = event.durationMs
    const durationMs = Number.isFinite(duration) && duration > 0 ? duration : 0
    const rows = typeof event.rows === 'number' && Number.isFinite(event.rows) && event.rows >= 0 ? event.rows : undefined
    let entry = this.entries.get(key)
    if (entry === undefined) entry = this.admit(key, system)
    entry.add(durationMs, event.error !== undefined, rows)
    entry.rank += durationMs
    this.siftDown(entry.heapIndex)
    const unshared = this.unshared
    if (unshared !== null) {
      let totals = unshared.get(key)
      if (totals === undefined && unshared.size < this.capacity) unshared.set(key, totals = new Totals())
      totals?.add(durationMs, event.error !== undefined, rows)
    }
    return key
  }

  /** From now on, keeps what is recorded for takeShared() too. */
  startSharing (): void {
    this.unshared ??= new Map()
  }

  /** What was recorded since the last call, per fingerprint. */
  takeShared (): QueryDelta[] {
    const unshared = this.unshared
    if (unshared === null || unshared.size === 0) return []
    this.unshared = new Map()
    return [...unshared].map(([key, totals]) => totals.toWire(key))
  }

  /** Adds what another worker recorded (takeShared()); a delta of another shape is ignored. */
  mergeShared (delta: unknown): void {
    if (delta === null || typeof delta !== 'object') return
    const { key } = delta as Partial<QueryDelta>
    if (typeof key !== 'string' || key.length < 2 || key.length > MAX_STATEMENT_CHARS + 1 || (key[0] !== 'p' && key[0] !== 'm')) return
    const totals = Totals.fromWire(delta as QueryDelta)
    if (totals === null) return
    const entry = this.entries.get(key) ?? this.admit(key, key[0] === 'm' ? 'mysql' : 'postgresql')
    entry.merge(totals)
    entry.rank += totals.totalMs
    this.siftDown(entry.heapIndex)
  }

  /** The fingerprint of a statement, through the memo, without counting anything. */
  fingerprint (statement: string, system: QueryEvent['system']): string {
    return this.statementFacts(statement, system).key.slice(1)
  }

  /**
   * A statement's key and operation, remembered: a statement seen before costs one Map lookup.
   * A statement that is not a string counts as the empty one.
   */
  statementFacts (statement: string, system: QueryEvent['system']): StatementFacts {
    const dialect = system === 'mysql' ? 'mysql' : 'postgresql'
    const text = typeof statement === 'string' ? statement : ''
    const memo = this.memos[dialect]
    const known = memo.get(text)
    if (known !== undefined) return known
    const facts: StatementFacts = { key: (dialect === 'mysql' ? 'm' : 'p') + fingerprintStatement(text, dialect), operation: statementOperation(text) }
    if (text.length <= MAX_STATEMENT_CHARS) memo.set(text, facts)
    return facts
  }

  /**
   * The `limit` fingerprints of most total time (default: all kept), highest first, and `other`:
   * the queries of fingerprints pushed out of the table and of those beyond `limit`.
   */
  top (limit: number = this.capacity): TopQueries {
    const sorted = [...this.entries.values()].sort(byTotalTime)
    const shown = Number.isInteger(limit) && limit >= 0 ? Math.min(limit, sorted.length) : sorted.length
    const queries = sorted.slice(0, shown).map((entry) => ({ fingerprint: entry.fingerprint, system: entry.system, ...entry.figures() }))
    const other = new Totals()
    other.merge(this.other)
    for (let k = shown; k < sorted.length; k++) other.merge(sorted[k])
    return { queries, other: { fingerprints: this.otherFingerprints + sorted.length - shown, ...other.figures() } }
  }

  /** Fingerprints kept. */
  get size (): number {
    return this.entries.size
  }

  /** Statements remembered, and their characters, over both dialects. */
  memoSize (): { entries: number, chars: number } {
    return {
      entries: this.memos.postgresql.size + this.memos.mysql.size,
      chars: this.memos.postgresql.chars + this.memos.mysql.chars,
    }
  }

  private admit (key: string, system: QueryEvent['system']): Entry {
    const fingerprint = key.slice(1)
    if (this.heap.length < this.capacity) {
      const entry = new Entry(key, fingerprint, system, 0)
      entry.heapIndex = this.heap.length
      this.heap.push(entry)
      this.entries.set(key, entry)
      this.siftUp(entry.heapIndex)
      return entry
    }
    const least = this.heap[0]
    this.entries.delete(least.key)
    this.other.merge(least)
    this.otherFingerprints++
    const entry = new Entry(key, fingerprint, system, least.rank)
    this.heap[0] = entry
    this.entries.set(key, entry)
    // Its rank equals the least one's: the heap holds as it is, and record() sifts it down after adding.
    return entry
  }

  private siftUp (index: number): void {
    const heap = this.heap
    const entry = heap[index]
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent].rank <= entry.rank) break
      heap[i] = heap[parent]
      heap[i].heapIndex = i
      i = parent
    }
    heap[i] = entry
    entry.heapIndex = i
  }

  private siftDown (index: number): void {
    const heap = this.heap
    const n = heap.length
    const entry = heap[index]
    let i = index
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && heap[right].rank < heap[left].rank ? right : left
      if (heap[child].rank >= entry.rank) break
      heap[i] = heap[child]
      heap[i].heapIndex = i
      i = child
    }
    heap[i] = entry
    entry.heapIndex = i
  }
}

/** Total time, then count, descending; then the key (unique in a table). */
function byTotalTime (a: Entry, b: Entry): number {
  return b.totalMs - a.totalMs || b.count - a.count || (a.key < b.key ? -1 : 1)
}
