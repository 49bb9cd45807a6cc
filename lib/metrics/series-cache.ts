/**
 * What is cached per request series, by controller, method and status: nested maps rather than
 * one joined key, because the parts are strings the framework reuses (route patterns, method
 * names), whose hashes V8 keeps, so a lookup builds no string. Bounded outright: series are
 * bounded by the caps on their labels, but the raw controllers that map to the overflow label
 * are not, so the cache starts over once it holds `max` entries.
 */
export class SeriesCache<T> {
  readonly #byController = new Map<string, Map<string, Map<number, T>>>()
  readonly #max: number
  #size = 0

  constructor (max: number) {
    this.#max = max
  }

  get (controller: string, method: string, statusCode: number): T | undefined {
    return this.#byController.get(controller)?.get(method)?.get(statusCode)
  }

  set (controller: string, method: string, statusCode: number, value: T): T {
    if (this.#size >= this.#max) {
      this.#byController.clear()
      this.#size = 0
    }
    let byMethod = this.#byController.get(controller)
    if (byMethod === undefined) this.#byController.set(controller, byMethod = new Map())
    let byStatus = byMethod.get(method)
    if (byStatus === undefined) byMethod.set(method, byStatus = new Map())
    if (!byStatus.has(statusCode)) this.#size++
    byStatus.set(statusCode, value)
    return value
  }
}
