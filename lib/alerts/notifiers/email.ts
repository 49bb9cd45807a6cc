import lazyDependencies from '../../lazy-dependencies.cjs'
import type { AlertNotice } from '../alert-notice.ts'
import type { ResolvedNotifier } from '../../options/resolve-plans.ts'
import { describeNotice, headline, type Notifier } from './notifier.ts'

type Transport = ReturnType<ReturnType<typeof lazyDependencies.nodemailer>['createTransport']>

/** The subject names the rule and its state: `[FIRING] slow-checkout (ticket)`. */
export function emailSubject (notice: AlertNotice): string {
  return `vigie: ${headline(notice)}`
}

export function emailText (notice: AlertNotice): string {
  return `${describeNotice(notice).join('\n')}\n\n-- \nSent by vigie.\n`
}

/** The passwords and tokens of a transport (an SMTP URL is one whole secret). */
function transportSecrets (transport: string | Readonly<Record<string, unknown>>): string[] {
  if (typeof transport === 'string') {
    const secrets = [transport]
    try {
      const url = new URL(transport)
      if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password))
    } catch {
      // Checked at startup to start with smtp(s)://; nothing more to cut out.
    }
    return secrets
  }
  const auth = transport.auth
  if (typeof auth !== 'object' || auth === null) return []
  return ['pass', 'accessToken', 'refreshToken', 'clientSecret', 'privateKey']
    .map((key) => (auth as Record<string, unknown>)[key])
    .filter((value): value is string => typeof value === 'string' && value !== '')
}

/**
 * Sends a plain-text mail through nodemailer, loaded (and its transport created) at the first
 * notice. An SMTP transport given as an object gets time limits unless it sets its own; each
 * send also carries the attempt's signal (nodemailer ≥ 10.5 aborts on it; older ones ignore it,
 * and the attempt is given up all the same).
 */
export function emailNotifier (options: Extract<ResolvedNotifier, { type: 'email' }>, attemptTimeoutMs: number): Notifier {
  let transport: Transport | undefined
  const open = (): Transport => {
    if (transport === undefined) {
      const given = options.transport
      transport = lazyDependencies.nodemailer().createTransport(typeof given === 'string'
        ? given
        : { connectionTimeout: attemptTimeoutMs, greetingTimeout: attemptTimeoutMs, socketTimeout: attemptTimeoutMs, ...given })
    }
    return transport
  }
  return {
    secrets: transportSecrets(options.transport),
    async send (notice, signal) {
      await open().sendMail({
        from: options.from,
        to: [...options.to],
        subject: emailSubject(notice),
        text: emailText(notice),
        signal,
      })
    },
    close () {
      transport?.close()
    },
  }
}
