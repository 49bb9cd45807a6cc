import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * State that must be unique per process even when both the ESM and the CommonJS builds of vigie
 * are loaded (the dual-package hazard): two AsyncLocalStorage instances would each see only
 * their own requests. It lives on globalThis under a registered symbol, created by whichever
 * copy loads first.
 */
export interface RequestStore {
  readonly correlationId: string
}

interface SharedState {
  readonly requestContext: AsyncLocalStorage<RequestStore>
}

const kShared = Symbol.for('vigie')
const holder = globalThis as typeof globalThis & { [kShared]?: SharedState }

export const shared: SharedState = holder[kShared] ??= { requestContext: new AsyncLocalStorage<RequestStore>() }
