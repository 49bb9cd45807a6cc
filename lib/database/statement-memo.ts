/**
 * Remembers what a statement text maps to (a string, or an object of facts: `charsOf` says how
 * many characters a value holds), so that a statement sent again costs a Map lookup
 * instead of a tokenizer pass. Bounded by entries and by characters (keys and values), with two
 * generations instead of a strict LRU: entries go into `current`; when it holds half the bound,
 * it becomes `previous` (the older one is dropped) and a new `current` starts. A hit in `previous`
 * is copied into `current`, so statements in use survive every turn; a hit in `current`, the
 * common case, is one `get` and changes nothing (a strict LRU would delete and set on every hit).
 */
export class StatementMemo<Value = string> {
  private current = new Map<string, Value>()
  private previous = new Map<string, Value>()
  private currentChars = 0
  private readonly generationEntries: number
  private readonly generationChars: number
  private readonly charsOf: (value: Value) => number

  /** At most `maxEntries` entries and `maxChars` characters of keys and values, over both generations. */
  constructor (maxEntries: number, maxChars: number, charsOf: (value: Value) => number = stringLength as (value: Value) => number) {
    this.generationEntries = Math.max(1, Math.floor(maxEntries / 2))
    this.generationChars = Math.max(1, Math.floor(maxChars / 2))
    this.charsOf = charsOf
  }

  get (statement: string): Value | undefined {
    const value = this.current.get(statement)
    if (value !== undefined) return value
    const old = this.previous.get(statement)
    if (old !== undefined) this.set(statement, old)
    return old
  }

  /** Remembers `value` for `statement`, unless the pair alone is over a generation's characters. */
  set (statement: string, value: Value): void {
    const chars = statement.length + this.charsOf(value)
    if (chars > this.generationChars) return
    if (this.current.size >= this.generationEntries || this.currentChars + chars > this.generationChars) {
      this.previous = this.current
      this.current = new Map()
      this.currentChars = 0
    }
    this.current.set(statement, value)
    this.currentChars += chars
  }

  /** Entries held (a statement in both generations counts twice: it is held twice). */
  get size (): number {
    return this.current.size + this.previous.size
  }

  /** Characters of keys and values held. */
  get chars (): number {
    let chars = this.currentChars
    for (const [statement, value] of this.previous) chars += statement.length + this.charsOf(value)
    return chars
  }
}

function stringLength (value: string): number {
  return value.length
}
