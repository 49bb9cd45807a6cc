// Runs deliveries off the request path: a bounded queue, a few at a time, a time limit per
// attempt, retries with exponential backoff and jitter. Deliveries with the same key (one
// notifier, one alert) run one after the other, in order, so a resolve never overtakes its
// firing notice. Every timer is unref'd: pending notices never keep the process alive.

/** How deliveries are run. The defaults are DELIVERY_LIMITS. */
export interface DeliveryLimits {
  /** Deliveries waiting or between attempts; one more is dropped. */
  readonly maxQueued: number
  /** Attempts running at once. */
  readonly concurrency: number
  /** Attempts per delivery (the first included). */
  readonly attempts: number
  /** Each attempt is aborted after this long (ms). */
  readonly attemptTimeoutMs: number
  /** The wait before the first retry (ms); doubled at each retry, up to maxRetryDelayMs, then jittered. */
  readonly firstRetryDelayMs: number
  readonly maxRetryDelayMs: number
  /** How long close() waits for what is queued (ms). */
  readonly closeTimeoutMs: number
}

export const DELIVERY_LIMITS: DeliveryLimits = Object.freeze({
  maxQueued: 1000,
  concurrency: 4,
  attempts: 3,
  attemptTimeoutMs: 10_000,
  firstRetryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  closeTimeoutMs: 5000,
})

/** One delivery: `attempt` is called up to `limits.attempts` times, each with its own signal. */
export interface Delivery {
  /** Deliveries with the same key run in order, one at a time. */
  readonly key: string
  readonly attempt: (signal: AbortSignal) => Promise<void>
  /** After the last failed attempt (or a permanent failure): called once. */
  readonly failed: (err: unknown, attempts: number) => void
}

/** An error retrying cannot mend (a 4xx answer, say): no more attempts. */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure'
}

/** The wait before retry `retry` (1 for the first): exponential, capped, with "equal jitter" (half fixed, half random). */
export function retryDelay (retry: number, limits: Pick<DeliveryLimits, 'firstRetryDelayMs' | 'maxRetryDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(limits.maxRetryDelayMs, limits.firstRetryDelayMs * 2 ** (retry - 1))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}

interface Job {
  readonly delivery: Delivery
  attempts: number
}

export class DeliveryQueue {
  readonly #limits: DeliveryLimits
  readonly #random: () => number
  /** Waiting to start (new, or a retry whose wait is over), oldest first. */
  readonly #ready: Job[] = []
  /** Keys with an attempt running or a retry waiting: their next delivery waits. */
  readonly #busy = new Set<string>()
  readonly #running = new Set<AbortController>()
  readonly #retryTimers = new Set<ReturnType<typeof setTimeout>>()
  /** Deliveries not finished: waiting, running or between attempts. */
  #size = 0
  #idle: Array<() => void> = []
  #closed = false
  #pumpScheduled = false

  constructor (limits: Partial<DeliveryLimits> = {}, random: () => number = Math.random) {
    this.#limits = { ...DELIVERY_LIMITS, ...limits }
    this.#random = random
  }

  /** Deliveries not finished. */
  get size (): number {
    return this.#size
  }

  /** Queues a delivery; false (and nothing queued) when the queue is full or closed. Never throws. */
  push (delivery: Delivery): boolean {
    if (this.#closed || this.#size >= this.#limits.maxQueued) return false
    this.#size++
    this.#ready.push({ delivery, attempts: 0 })
    // Started once the caller is done: it may have more to queue, and push() stays a push.
    if (!this.#pumpScheduled) {
      this.#pumpScheduled = true
      queueMicrotask(() => {
        this.#pumpScheduled = false
        this.#pump()
      })
    }
    return true
  }

  /**
   * Waits for every delivery to finish, for at most `closeTimeoutMs`; then aborts what runs and
   * drops what waits. Resolves with the number of deliveries given up that way; never rejects.
   */
  async close (): Promise<number> {
    this.#closed = true
    if (this.#size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined
      await new Promise<void>((resolve) => {
        this.#idle.push(resolve)
        timer = setTimeout(resolve, this.#limits.closeTimeoutMs)
        timer.unref?.()
      })
      clearTimeout(timer)
    }
    const abandoned = this.#size
    for (const timer of this.#retryTimers) clearTimeout(timer)
    this.#retryTimers.clear()
    this.#ready.length = 0
    const running = [...this.#running]
    this.#running.clear()
    this.#busy.clear()
    this.#size = 0
    for (const controller of running) controller.abort(new Error('vigie is closing'))
    return abandoned
  }

  #pump (): void {
    while (this.#running.size < this.#limits.concurrency) {
      const index = this.#ready.findIndex((job) => job.attempts > 0 || !this.#busy.has(job.delivery.key))
      if (index === -1) return
      const [job] = this.#ready.splice(index, 1)
      this.#start(job!)
    }
  }

  #start (job: Job): void {
    job.attempts++
    this.#busy.add(job.delivery.key)
    const controller = new AbortController()
    this.#running.add(controller)
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(this.#limits.attemptTimeoutMs)), this.#limits.attemptTimeoutMs)
    timer.unref?.()
    let attempt: Promise<void>
    try {
      attempt = Promise.resolve(job.delivery.attempt(controller.signal))
    } catch (err) {
      attempt = Promise.reject(err)
    }
    // The attempt may ignore its signal: the abort settles it all the same.
    const aborted = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
    })
    aborted.catch(() => {})
    Promise.race([attempt, aborted]).then(
      () => this.#settle(job, controller, timer, null),
      (err: unknown) => this.#settle(job, controller, timer, err ?? new Error('failed'))
    )
  }

  #settle (job: Job, controller: AbortController, timer: ReturnType<typeof setTimeout>, err: unknown): void {
    clearTimeout(timer)
    if (!this.#running.delete(controller)) return // given up by close()
    if (err !== null && !(err instanceof PermanentFailure) && job.attempts < this.#limits.attempts) {
      const retry = setTimeout(() => {
        this.#retryTimers.delete(retry)
        this.#ready.unshift(job)
        this.#pump()
      }, retryDelay(job.attempts, this.#limits, this.#random))
      retry.unref?.()
      this.#retryTimers.add(retry)
      this.#pump()
      return
    }
    if (err !== null) {
      try {
        job.delivery.failed(err, job.attempts)
      } catch {
        // The failure hook is the dispatcher's own and does not throw; nothing to report to if it does.
      }
    }
    this.#busy.delete(job.delivery.key)
    this.#size--
    this.#pump()
    if (this.#size === 0) {
      const idle = this.#idle
      this.#idle = []
      for (const resolve of idle) resolve()
    }
  }
}

/** The reason an attempt was aborted: it outlasted its time limit. */
export class AttemptTimeout extends Error {
  override readonly name = 'TimeoutError'
  constructor (ms: number) {
    super(`no answer within ${ms} ms`)
  }
}
