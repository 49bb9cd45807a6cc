/** One controller's entries: nested by method then status, and the one found last, checked first. */
interface ControllerEntries<T> {
  readonly byMethod: Map<string, Map<number, T>>
  method: string
  statusCode: number
  value: T | undefined
}

/**
 * What is cached per request series, by controller, method and status: nested maps rather than
 * one joined key, because the parts are strings the framework reuses (route patterns, method
 * names), whose hashes V8 keeps, so a lookup builds no string. A route mostly answers one method
 * with one status, so each controller remembers the entry found last and compares with it before
 * it looks further: one map lookup instead of three. Bounded outright: series are bounded by the
 * caps on their labels, but the raw controllers that map to the overflow label are not, so the
 * cache starts over once it holds `max` entries.
 */
export class SeriesCache<T> {
  readonly #byController = new Map<string, ControllerEntries<T>>()
  readonly #max: number
  #size = 0

  constructor (max: number) {
    this.#max = max
  }

  get (controller: string, method: string, statusCode: number): T | undefined {
    const entries = this.#byController.get(controller)
    if (entries === undefined) return undefined
    if (entries.statusCode === statusCode && entries.method === method) return entries.value
    const value = entries.byMethod.get(method)?.get(statusCode)
    if (value !== undefined) remember(entries, method, statusCode, value)
    return value
  }

  set (controller: string, method: string, statusCode: number, value: T): T {
    if (this.#size >= this.#max) this.clear()
    let entries = this.#byController.get(controller)
    if (entries === undefined) {
      entries = { byMethod: new Map(), method: '', statusCode: -1, value: undefined }
      this.#byController.set(controller, entries)
    }
    let byStatus = entries.byMethod.get(method)
    if (byStatus === undefined) entries.byMethod.set(method, byStatus = new Map())
    if (!byStatus.has(statusCode)) this.#size++
    byStatus.set(statusCode, value)
    remember(entries, method, statusCode, value)
    return value
  }

  clear (): void {
    this.#byController.clear()
    this.#size = 0
  }
}

function remember<T> (entries: ControllerEntries<T>, method: string, statusCode: number, value: T): void {
  entries.method = method
  entries.statusCode = statusCode
  entries.value = value
}
