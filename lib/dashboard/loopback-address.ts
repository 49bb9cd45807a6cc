/**
 * Whether `address`, a socket's local address as Node reports it, is a loopback one: 127.0.0.0/8,
 * `::1`, or 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.1`). Only this machine reaches those.
 */
export function isLoopbackAddress (address: string): boolean {
  const lower = address.toLowerCase()
  const v4 = lower.startsWith('::ffff:') ? lower.slice('::ffff:'.length) : lower
  return v4.startsWith('127.') || lower === '::1' || lower === '0:0:0:0:0:0:0:1'
}
