import { shared, type RequestStore } from '../shared-state.js'

/**
 * The correlation ID of the request whose async chain is running, or `undefined` outside a
 * request.
 *
 * @example
 * import { correlationId } from 'vigie'
 * await fetch(url, { headers: { 'x-request-id': correlationId() ?? '' } })
 */
export function correlationId (): string | undefined {
  return shared.requestContext.getStore()?.correlationId
}

export function currentRequestStore (): RequestStore | undefined {
  return shared.requestContext.getStore()
}
