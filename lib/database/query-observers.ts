import { processWide } from '../process-state.ts'
import type { QueryEvent, QueryObserver } from './query-event.ts'

/** One registration: what to call for each query, and where to say that a hook failed. */
interface Registration {
  readonly observer: QueryObserver
  readonly warn: (key: string, message: string) => void
}

// Process-wide: the hooks are installed once, whichever copy of vigie (ESM or CJS) installed them.
const registrations = processWide('queryObservers', () => new Set<Registration>())

/**
 * Calls `observer` with every query the driver hooks see from now on, in every app, until the
 * function returned is called. `warn(key, message)` is told, once per key, when a hook or an
 * observer fails (the query itself is never affected). The hooks themselves are installed by
 * {@link ../database/driver-hooks.ts installDriverHooks}.
 */
export function addQueryObserver (observer: QueryObserver, warn: (key: string, message: string) => void): () => void {
  const registration: Registration = { observer, warn }
  registrations.add(registration)
  return function removeQueryObserver () {
    registrations.delete(registration)
  }
}

/** True when someone listens: the hooks skip all work otherwise. */
export function hasQueryObservers (): boolean {
  return registrations.size > 0
}

/** Hands one finished query to every observer; one that throws is isolated, and said once. */
export function publishQuery (event: QueryEvent): void {
  for (const registration of registrations) {
    try {
      registration.observer(event)
    } catch (err) {
      registration.warn('database-observer', `vigie: a database query observer failed (${errorName(err)}); the query is unaffected, and this is said once`)
    }
  }
}

/** Says once per registration that a driver hook failed; the query went on unaffected. */
export function reportHookFailure (driver: string, err: unknown): void {
  for (const registration of registrations) {
    try {
      registration.warn(`database-hook:${driver}`, `vigie: the ${driver} query hook failed (${errorName(err)}); queries run unaffected, some may not be counted, and this is said once`)
    } catch {
      // A warning that fails is dropped.
    }
  }
}

function errorName (err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}

/** Says once that a loaded driver is too old to be observed. */
export function reportOldDriver (driver: string, version: string, needed: string): void {
  for (const registration of registrations) {
    try {
      registration.warn(`database-old:${driver}`, `vigie: ${driver} ${version} is loaded; its queries are not counted: vigie needs ${driver} ${needed} or later`)
    } catch {
      // A warning that fails is dropped.
    }
  }
}
