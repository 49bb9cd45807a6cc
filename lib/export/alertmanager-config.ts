import type { ResolvedNotifier, ResolvedPlans } from '../options/resolve-plans.ts'
import type { AlertSeverity } from '../types.ts'

const SEVERITIES: readonly AlertSeverity[] = ['page', 'ticket', 'info']

/**
 * An Alertmanager configuration that does what `alerts.plans` does: a route per severity
 * (matching the `severity` label the exported rules set) to a receiver with one config per
 * notifier. Every secret (URLs of webhooks, keys, tokens, the SMTP server) is a placeholder
 * like `<SLACK_WEBHOOK_URL_PAGE_1>`, never the value; `placeholders` gets their names.
 */
export function alertmanagerConfig (plans: ResolvedPlans, placeholders: string[], notes: string[]): Record<string, unknown> {
  const receivers: Array<Record<string, unknown>> = [{ name: 'vigie-none' }]
  const routes: Array<Record<string, unknown>> = []
  for (const severity of SEVERITIES) {
    const notifiers = plans[severity]
    if (notifiers.length === 0) continue
    const receiver: Record<string, unknown[]> = {}
    notifiers.forEach((notifier, i) => {
      const placeholder = (what: string): string => {
        const name = `<${what}_${severity.toUpperCase()}_${i + 1}>`
        placeholders.push(name)
        return name
      }
      const built = receiverConfig(notifier, placeholder, notes, severity)
      if (built === null) return
      ;(receiver[built.key] ??= []).push(built.config)
    })
    if (Object.keys(receiver).length === 0) continue
    receivers.push({ name: `vigie-${severity}`, ...receiver })
    routes.push({ receiver: `vigie-${severity}`, matchers: [`severity="${severity}"`], continue: false })
  }
  return {
    route: {
      receiver: 'vigie-none',
      group_by: ['alertname', 'slo', 'vigie_rule'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes,
    },
    receivers,
  }
}

function receiverConfig (notifier: ResolvedNotifier, placeholder: (what: string) => string, notes: string[], severity: AlertSeverity): { key: string, config: Record<string, unknown> } | null {
  switch (notifier.type) {
    case 'log':
      notes.push(`${severity}: the "log" notifier writes to the app's log; Alertmanager has nothing to send`)
      return null
    case 'webhook':
      return { key: 'webhook_configs', config: { url: placeholder('WEBHOOK_URL'), send_resolved: true } }
    case 'slack':
      return { key: 'slack_configs', config: { api_url: placeholder('SLACK_WEBHOOK_URL'), send_resolved: true } }
    case 'pagerduty':
      return { key: 'pagerduty_configs', config: { routing_key: placeholder('PAGERDUTY_ROUTING_KEY'), send_resolved: true } }
    case 'email':
      return {
        key: 'email_configs',
        config: {
          to: notifier.to.join(', '),
          from: notifier.from,
          smarthost: placeholder('SMTP_SMARTHOST'),
          ...(authenticates(notifier.transport) ? { auth_username: placeholder('SMTP_USERNAME'), auth_password: placeholder('SMTP_PASSWORD') } : {}),
          send_resolved: true,
        },
      }
    case 'github':
      notes.push(`${severity}: Alertmanager has no GitHub receiver; a webhook receiver stands in: point it at a bridge that opens issues in ${notifier.repo}`)
      return { key: 'webhook_configs', config: { url: placeholder('GITHUB_BRIDGE_URL'), send_resolved: true } }
  }
}

/** Whether a nodemailer transport logs in: an `auth` object, or a URL with user information. */
function authenticates (transport: string | Readonly<Record<string, unknown>>): boolean {
  if (typeof transport !== 'string') return transport.auth !== undefined
  try {
    return new URL(transport).username !== ''
  } catch {
    return false
  }
}
