import type { AlertStatus } from '../types.ts'

/** What one evaluation found. */
export interface Condition {
  /** The value to report; null when there was nothing to read. */
  readonly value: number | null
  /** Past the threshold (and on enough events): what starts pending, then firing. */
  readonly breaching: boolean
  /** Still past `clear` (and on enough events): what keeps a firing rule firing. */
  readonly holding: boolean
}

/** How long each step waits. */
export interface Holds {
  /** Pending for this long before firing; 0 fires at once. */
  readonly forMs: number
  /** Firing for this long after the condition stopped. */
  readonly keepFiringForMs: number
}

/** A change of state: the state entered, and the one left. */
export interface Change {
  readonly from: AlertStatus['state']
  readonly to: AlertStatus['state']
}

/**
 * One rule's state: `ok → pending → firing → ok`, with `pending → ok` when the condition stops
 * before `for` has elapsed. Moves only when step() is called (one evaluation), so every time it
 * keeps is an evaluation's.
 */
export class RuleState {
  state: AlertStatus['state'] = 'ok'
  /** When the state last changed (the start, before any change). */
  since: number
  value: number | null = null
  /** When it started firing: the notices' `startsAt`. */
  firingSince = 0
  /** While firing: when the condition stopped holding (keepFiringFor counts from there); null while it holds. */
  #quietSince: number | null = null
  /** While firing: when the last notice was sent, for repeats. */
  noticeAt = 0

  constructor (now: number) {
    this.since = now
  }

  /** Moves on one evaluation at `now`; the change, or null when the state stays. */
  step (condition: Condition, holds: Holds, now: number): Change | null {
    this.value = condition.value
    switch (this.state) {
      case 'ok':
        if (!condition.breaching) return null
        return holds.forMs === 0 ? this.#fire(now) : this.#move('pending', now)
      case 'pending':
        if (!condition.breaching) return this.#move('ok', now)
        return now - this.since >= holds.forMs ? this.#fire(now) : null
      case 'firing':
        if (condition.holding) {
          this.#quietSince = null
          return null
        }
        this.#quietSince ??= now
        return now - this.#quietSince >= holds.keepFiringForMs ? this.#move('ok', now) : null
    }
  }

  #fire (now: number): Change {
    this.firingSince = now
    this.noticeAt = now
    this.#quietSince = null
    return this.#move('firing', now)
  }

  #move (to: AlertStatus['state'], now: number): Change {
    const from = this.state
    this.state = to
    this.since = now
    return { from, to }
  }
}
