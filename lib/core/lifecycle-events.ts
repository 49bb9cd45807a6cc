import type { ExceptionRecord } from '../capture/exception-record.ts'
import type { FailureReporter } from './failure-reporter.ts'
import type { RequestQueries } from './request-queries.ts'

/** An exception the core captured: its line, already scrubbed, and the controller it counts under. */
export interface CapturedException {
  readonly at: number
  readonly controller: string
  readonly record: ExceptionRecord
}

/**
 * What a feature can follow of the requests vigie observes. Every callback runs inside vigie's
 * guard: one that throws is reported, and after MAX_FAILURES throws it is no longer called.
 */
export interface LifecycleSubscriber {
  /** Its name in vigie's reports. */
  readonly name: string
  /** A request that was counted (neither ignored nor opted out): its tags and duration. */
  readonly requestEnded?: (controller: string, method: string, statusCode: number, durationMs: number) => void
  readonly exceptionCaptured?: (exception: CapturedException) => void
  /** A counted request that sent database queries, once it ended. */
  readonly requestQueried?: (controller: string, queries: RequestQueries<unknown>) => void
  /** The app is closing: stop timers, release what was acquired. Awaited, within close()'s bound. */
  readonly closing?: () => void | Promise<void>
}

type RequestEnded = NonNullable<LifecycleSubscriber['requestEnded']>

const MAX_FAILURES = 10

/**
 * The subscribers of one vigie instance, and the guarded dispatch to them. With nobody
 * following an event, dispatching it is one null check.
 */
export class LifecycleEvents {
  /** null while no subscriber follows ended requests: the core skips the call. */
  requestEnded: RequestEnded | null = null
  readonly #subscribers: LifecycleSubscriber[] = []
  readonly #reporter: Pick<FailureReporter, 'report' | 'warnOnce'>
  readonly #failures = new Map<LifecycleSubscriber, number>()

  constructor (reporter: Pick<FailureReporter, 'report' | 'warnOnce'>) {
    this.#reporter = reporter
  }

  subscribe (subscriber: LifecycleSubscriber): void {
    this.#subscribers.push(subscriber)
    this.#rebuildRequestEnded()
  }

  exceptionCaptured (exception: CapturedException): void {
    this.#dispatch('exceptionCaptured', (listener) => listener(exception))
  }

  requestQueried (controller: string, queries: RequestQueries<unknown>): void {
    this.#dispatch('requestQueried', (listener) => listener(controller, queries))
  }

  #dispatch<Event extends 'exceptionCaptured' | 'requestQueried'> (event: Event, call: (listener: NonNullable<LifecycleSubscriber[Event]>) => void): void {
    for (const subscriber of this.#subscribers) {
      const listener = subscriber[event]
      if (listener === undefined || this.#tripped(subscriber)) continue
      try {
        call(listener as NonNullable<LifecycleSubscriber[Event]>)
      } catch (err) {
        this.#failed(subscriber, err)
      }
    }
  }

  /** Calls every `closing`; never rejects. */
  async closing (): Promise<void> {
    await Promise.all(this.#subscribers.map(async (subscriber) => {
      try {
        await subscriber.closing?.()
      } catch (err) {
        this.#reporter.report(subscriber.name, err)
      }
    }))
  }

  #rebuildRequestEnded (): void {
    const following = this.#subscribers.filter((subscriber) => subscriber.requestEnded !== undefined && !this.#tripped(subscriber))
    if (following.length === 0) {
      this.requestEnded = null
      return
    }
    this.requestEnded = (controller, method, statusCode, durationMs) => {
      for (const subscriber of following) {
        try {
          subscriber.requestEnded!(controller, method, statusCode, durationMs)
        } catch (err) {
          this.#failed(subscriber, err)
        }
      }
    }
  }

  #tripped (subscriber: LifecycleSubscriber): boolean {
    return (this.#failures.get(subscriber) ?? 0) >= MAX_FAILURES
  }

  #failed (subscriber: LifecycleSubscriber, err: unknown): void {
    const failures = (this.#failures.get(subscriber) ?? 0) + 1
    this.#failures.set(subscriber, failures)
    this.#reporter.report(subscriber.name, err)
    if (failures < MAX_FAILURES) return
    this.#reporter.warnOnce(`tripped:${subscriber.name}`,
      `vigie: ${subscriber.name} failed ${MAX_FAILURES} times and is switched off for the life of the app; requests are still observed`)
    this.#rebuildRequestEnded()
  }
}
