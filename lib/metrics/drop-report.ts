import { METRIC_NAMES } from './request-metrics.ts'
import type { DropReason, DroppedLineCounts, StatsdSocket } from './statsd-socket.ts'
import { formatTag, telegrafTag, type TagFormat } from './tag-format.ts'

const REASONS: readonly DropReason[] = ['dns', 'socket', 'queue_full']

export interface DropReportOptions {
  readonly socket: Pick<StatsdSocket, 'send' | 'dropped'>
  /** `statsd.prefix`, with its trailing dot. */
  readonly prefix: string
  /** `key:value` global tags, as the request lines carry them. */
  readonly globalTags: readonly string[]
  readonly format: TagFormat
  readonly intervalMs: number
  /** Where a failure of a report goes: reported, never thrown (from a timer, or into close()). */
  readonly onError: (err: unknown) => void
}

/**
 * The counter `vigie.metrics_dropped`, tagged `reason`: the lines vigie's own socket dropped,
 * reported on that same socket, so it arrives once the StatsD server is back.
 *
 * Each report carries what the socket counted less what earlier reports carried. A report the
 * socket drops is told back (the `onDropped` of StatsdSocket.send): what it carried is unreported
 * again, and its own lines are not counted, so reporting never adds to what there is to report.
 * A report goes out only after an interval in which nothing was dropped, the server being back
 * as far as can be told: while lines are dropped it would be too, and over UDP a refused
 * datagram is known only as near as the host's refusals tell (they are blamed on the last one
 * sent). At most one report, of three lines, per interval; the timer is unref'd.
 */
export class DropReport {
  readonly #socket: DropReportOptions['socket']
  /** Per reason, the line around its count. */
  readonly #lines: Readonly<Record<DropReason, readonly [head: string, tail: string]>>
  /** Drops carried by reports not known to be lost. */
  readonly #reported = { dns: 0, socket: 0, queue_full: 0 }
  #reportsDropped = 0
  /** Drops seen at the last tick, reports' own included: the same at the next means a quiet interval. */
  #seen = 0
  readonly #timer: NodeJS.Timeout
  readonly #onError: (err: unknown) => void

  constructor (options: DropReportOptions) {
    this.#socket = options.socket
    const name = options.prefix + METRIC_NAMES.metricsDropped
    const line = (reason: DropReason): readonly [string, string] => {
      const tags = [...options.globalTags, formatTag('reason', reason, options.format)]
      return options.format === 'telegraf'
        ? [`${name},${tags.map(telegrafTag).join(',')}:`, '|c']
        : [`${name}:`, `|c|#${tags.join(',')}`]
    }
    this.#lines = { dns: line('dns'), socket: line('socket'), queue_full: line('queue_full') }
    this.#onError = options.onError
    this.#timer = setInterval(() => this.#guarded(() => this.#tick()), options.intervalMs)
    this.#timer.unref()
  }

  /** Stops the timer and reports what is left, quiet interval or not: the socket is about to close. */
  close (): void {
    clearInterval(this.#timer)
    this.#guarded(() => this.#report(this.#socket.dropped()))
  }

  #guarded (run: () => void): void {
    try {
      run()
    } catch (err) {
      this.#onError(err)
    }
  }

  #tick (): void {
    const dropped = this.#socket.dropped()
    const seen = dropped.dns + dropped.socket + dropped.queue_full + this.#reportsDropped
    const quiet = seen === this.#seen
    this.#seen = seen
    if (quiet) this.#report(dropped)
  }

  #report (dropped: DroppedLineCounts): void {
    const delta = { dns: dropped.dns - this.#reported.dns, socket: dropped.socket - this.#reported.socket, queue_full: dropped.queue_full - this.#reported.queue_full }
    const lines = REASONS.filter((reason) => delta[reason] > 0)
      .map((reason) => `${this.#lines[reason][0]}${delta[reason]}${this.#lines[reason][1]}`)
    if (lines.length === 0) return
    for (const reason of REASONS) this.#reported[reason] += delta[reason]
    this.#socket.send(Buffer.from(lines.join('\n')), () => {
      this.#reportsDropped++
      for (const reason of REASONS) this.#reported[reason] -= delta[reason]
    })
  }
}
