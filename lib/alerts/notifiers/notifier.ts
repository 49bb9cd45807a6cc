import type { AlertNotice } from '../alert-notice.ts'
import { PermanentFailure } from '../delivery-queue.ts'

/** One destination of a plan, built from its resolved options. */
export interface Notifier {
  /** Delivers one notice; rejects on failure (a PermanentFailure when trying again cannot help). */
  readonly send: (notice: AlertNotice, signal: AbortSignal) => Promise<void>
  /** The notifier's secrets (URLs, keys, tokens, passwords): cut out of anything logged about it. */
  readonly secrets: readonly string[]
  /** Frees what the notifier holds (an SMTP connection pool). */
  readonly close?: () => void
}

/** What notifiers read of the process. */
export interface NotifierContext {
  /** PagerDuty's `source`. */
  readonly hostname: string
  /** Epoch ms. */
  readonly now: () => number
}

/** A failed HTTP exchange, described without its URL. */
export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure'
}

interface RequestInit {
  readonly method?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
  readonly signal: AbortSignal
}

/**
 * One HTTP request with the global fetch (undici), a JSON body, and no redirect followed. A 2xx
 * answer is returned; any other rejects: 4xx (but 408 and 429) as a PermanentFailure. The
 * errors never quote the URL, which may be the secret itself (Slack's).
 */
export async function request (url: string, init: RequestInit): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, {
      method: init.method ?? 'POST',
      headers: init.body === undefined ? { ...init.headers } : { 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      redirect: 'manual',
    })
  } catch (err) {
    if (init.signal.aborted) throw init.signal.reason
    throw new DeliveryFailure(`no answer: ${causeOf(err)}`)
  }
  if (response.status >= 200 && response.status < 300) return response
  await response.body?.cancel().catch(() => {})
  const message = `answered ${response.status}`
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new PermanentFailure(message)
  throw new DeliveryFailure(message)
}

/** Reads the rest of an answer we do not need, so its connection can serve the next request. */
export async function discard (response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {})
}

/** `connect ECONNREFUSED 127.0.0.1:4000` rather than undici's bare "fetch failed". */
function causeOf (err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message
  }
  return err instanceof Error ? err.message : String(err)
}

/** `2026-12-03T07:00:00.000Z`: RFC 3339, as Alertmanager and PagerDuty take it. */
export function rfc3339 (ms: number): string {
  return new Date(ms).toISOString()
}

/** One line naming the alert and its state, for subjects, Slack and PagerDuty: `[FIRING] slow-checkout (ticket)`. */
export function headline (notice: AlertNotice): string {
  return `[${notice.status === 'firing' ? 'FIRING' : 'RESOLVED'}] ${notice.rule} (${notice.severity})`
}

/** The facts of a notice as lines of text: summary, value and threshold, labels, times. */
export function describeNotice (notice: AlertNotice): string[] {
  const lines: string[] = []
  if (notice.annotations.summary !== undefined) lines.push(notice.annotations.summary)
  if (notice.annotations.description !== undefined) lines.push(notice.annotations.description)
  lines.push(`Value: ${notice.value ?? 'none'} (threshold ${notice.threshold})`)
  const labels = Object.entries(notice.labels).map(([name, value]) => `${name}="${value}"`).join(', ')
  lines.push(`Labels: ${labels}`)
  lines.push(`Started: ${rfc3339(notice.startsAt)}`)
  if (notice.endsAt !== null) lines.push(`Resolved: ${rfc3339(notice.endsAt)}`)
  if (notice.repeat) lines.push('Still firing (a repeated notice).')
  lines.push(`Fingerprint: ${notice.fingerprint}`)
  return lines
}
