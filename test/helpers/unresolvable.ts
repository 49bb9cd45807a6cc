import { promises as dns } from 'node:dns'

/**
 * What this machine's resolver answers for a name that cannot exist (`.invalid`, RFC 2606):
 * ENOTFOUND where a DNS server answers, EAI_AGAIN offline, where none can be reached.
 */
export const UNRESOLVABLE_CODE: string = await dns.lookup('nonexistent.invalid').then(
  () => { throw new Error('nonexistent.invalid resolved: this machine\'s DNS answers names that cannot exist') },
  (err: NodeJS.ErrnoException) => String(err.code))
