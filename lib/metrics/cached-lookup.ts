import type { SocketOptions } from 'node:dgram'
import { lookup as dnsLookup } from 'node:dns'
import { isIP } from 'node:net'
import { HostResolver } from './host-resolver.ts'

/** Sends that may wait for the first lookup; later ones fail at once. */
const MAX_WAITING = 1000

/**
 * A `lookup` for a dgram socket (hot-shots' `udpSocketOptions.lookup`) that answers for `host`
 * from one {@link HostResolver}: hot-shots would otherwise look the name up for every datagram,
 * and with a name that does not resolve those lookups pile up in libuv's thread pool (delaying
 * the app's own file and DNS work, and keeping the process alive until each times out). While
 * the first lookup runs, sends wait for it; without an answer they fail at once with the
 * lookup's error, which hot-shots passes to its error handler.
 */
export function cachedLookup (host: string): { lookup: NonNullable<SocketOptions['lookup']>, lookups: () => number } {
  let lastError: Error | null = null
  let waiting: Array<() => void> = []
  const resolver = new HostResolver(host, (err) => {
    lastError = err
    const answered = waiting
    waiting = []
    for (const answer of answered) answer()
  })

  const lookup: NonNullable<SocketOptions['lookup']> = (hostname, options, callback) => {
    // dgram also looks up the address it binds to ('0.0.0.0'): an IP address is its own answer.
    const family = isIP(hostname)
    if (family !== 0) return callback(null, hostname, family)
    if (hostname !== host) return dnsLookup(hostname, options, callback)
    const answer = (): void => {
      const address = resolver.address()
      if (address !== undefined) callback(null, address.address, address.family)
      else callback(lastError ?? new Error(`no address for ${host}`), '', 0)
    }
    if (resolver.address() !== undefined || !resolver.lookupInFlight) answer()
    else if (waiting.length < MAX_WAITING) waiting.push(answer)
    else callback(new Error(`more than ${MAX_WAITING} sends wait for the address of ${host}`), '', 0)
  }
  return { lookup, lookups: () => resolver.lookups }
}
