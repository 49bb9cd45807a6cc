import type { StatsD } from 'hot-shots'
import { errorName } from '../capture/error-name.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import { CpuMeter } from './cpu-meter.ts'
import { diskFreeBytes } from './disk-free.ts'
import { EventLoopDelayMeter } from './event-loop-delay.ts'
import { GcPauseMeter } from './gc-pause-meter.ts'
import { PROCESS_METRIC_NAMES as NAMES } from '../metrics/process-metric-names.ts'

/** The first sample comes this soon after start (or after one interval, if shorter). */
export const FIRST_SAMPLE_DELAY_MS = 1000

export interface ProcessSamplerOptions {
  /** Where the gauges go (the observer's client: its prefix and global tags apply). */
  readonly statsd: Pick<StatsD, 'gauge'>
  readonly intervalMs: number
  readonly reporter: Pick<FailureReporter, 'report' | 'warnOnce'>
  /** The directory whose filesystem `process.disk_free` describes. Default `process.cwd()`. */
  readonly cwd?: () => string
}

/**
 * Samples the process gauges (event-loop delay, memory, CPU, active handles, GC pause, free disk)
 * on an unref'd timer and sends them with `statsd.gauge`: first FIRST_SAMPLE_DELAY_MS after
 * start(), so a dashboard has values early, then every `intervalMs`. Fail-open: a gauge that
 * cannot be read or sent is skipped and reported; the next sample still runs.
 */
export class ProcessSampler {
  readonly #statsd: Pick<StatsD, 'gauge'>
  readonly #intervalMs: number
  readonly #reporter: Pick<FailureReporter, 'report' | 'warnOnce'>
  readonly #cwd: () => string
  readonly #eventLoop = new EventLoopDelayMeter()
  readonly #cpu = new CpuMeter()
  readonly #gc = new GcPauseMeter()
  #timer: NodeJS.Timeout | null = null
  #stopped = false
  /** A statfs still running: a slow filesystem never gets a second one queued behind it. */
  #diskPending = false

  constructor (options: ProcessSamplerOptions) {
    this.#statsd = options.statsd
    this.#intervalMs = options.intervalMs
    this.#reporter = options.reporter
    this.#cwd = options.cwd ?? (() => process.cwd())
  }

  get running (): boolean {
    return this.#timer !== null
  }

  start (): void {
    if (this.#timer !== null) return
    this.#stopped = false
    this.#eventLoop.start()
    this.#cpu.start()
    this.#gc.start()
    this.#timer = unrefd(setTimeout(() => {
      this.#timer = unrefd(setInterval(() => this.sample(), this.#intervalMs))
      this.sample()
    }, Math.min(FIRST_SAMPLE_DELAY_MS, this.#intervalMs)))
  }

  /** Stops the timer and the probes; a free-disk reading still in flight is dropped. */
  stop (): void {
    if (this.#timer === null) return
    clearTimeout(this.#timer)
    this.#timer = null
    this.#stopped = true
    this.#eventLoop.stop()
    this.#gc.stop()
  }

  /**
   * Reads and sends every gauge once (free disk space a little later: statfs is asynchronous).
   * Never throws: each gauge is read and sent inside its own guard.
   */
  sample (): void {
    this.#send('event-loop delay', () => {
      const delay = this.#eventLoop.read()
      if (delay === null) return
      this.#statsd.gauge(NAMES.eventLoopDelayP50, delay.p50)
      this.#statsd.gauge(NAMES.eventLoopDelayP99, delay.p99)
    })
    this.#send('memory', () => {
      const memory = process.memoryUsage()
      this.#statsd.gauge(NAMES.heapUsed, memory.heapUsed)
      this.#statsd.gauge(NAMES.rss, memory.rss)
    })
    this.#send('cpu', () => {
      const percent = this.#cpu.read()
      if (percent !== null) this.#statsd.gauge(NAMES.cpuPercent, percent)
    })
    this.#send('active handles', () => this.#statsd.gauge(NAMES.activeHandles, process.getActiveResourcesInfo().length))
    this.#send('gc pause', () => this.#statsd.gauge(NAMES.gcPause, this.#gc.read()))
    // Its promise never rejects: failures are reported inside.
    void this.#sampleDiskFree()
  }

  #send (gauge: string, readAndSend: () => void): void {
    try {
      readAndSend()
    } catch (err) {
      this.#reporter.report(`process metrics (${gauge})`, err)
    }
  }

  async #sampleDiskFree (): Promise<void> {
    if (this.#diskPending) return
    this.#diskPending = true
    let dir: string | undefined
    let bytes: number
    try {
      dir = this.#cwd()
      bytes = await diskFreeBytes(dir)
    } catch (err) {
      this.#reporter.warnOnce('process-disk-free',
        `vigie: cannot read the free disk space of the working directory; ${NAMES.diskFree} is not sent while this lasts`,
        { dir, err: { type: errorCode(err), message: err instanceof Error ? err.message : String(err) } })
      return
    } finally {
      this.#diskPending = false
    }
    if (!this.#stopped) this.#send('disk free', () => this.#statsd.gauge(NAMES.diskFree, bytes))
  }
}

/** The sampler never keeps the process alive. */
function unrefd (timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref()
  return timer
}

/** A system error's code (`ENOENT`, `EACCES`), else the error's name. */
function errorCode (err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : errorName(err)
}
