import type { AlertNotice } from '../alert-notice.ts'
import type { ResolvedNotifier } from '../../options/resolve-plans.ts'
import { describeNotice, discard, headline, request, rfc3339, type Notifier, type NotifierContext } from './notifier.ts'

/** The label that ties an issue to its alert. */
export function alertLabel (fingerprint: string): string {
  return `vigie-alert-${fingerprint}`
}

function issueBody (notice: AlertNotice): string {
  return [...describeNotice(notice), '', `Opened by vigie. It is closed when the alert resolves; the label \`${alertLabel(notice.fingerprint)}\` ties it to the alert.`].join('\n')
}

/**
 * The ticket: an issue per alert, found again by its label. Firing: the open issue with the
 * label, or a new one (a repeat comments on it). Resolved: a comment, then the issue closed.
 * Each attempt looks before it opens, so a retry after a lost answer opens no second issue.
 * https://docs.github.com/en/rest/issues/issues
 */
export function githubNotifier (options: Extract<ResolvedNotifier, { type: 'github' }>, context: NotifierContext): Notifier {
  const repo = `${options.apiUrl}/repos/${options.repo}`
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${options.token}`,
    'user-agent': 'vigie',
    'x-github-api-version': '2022-11-28',
  }

  async function openIssues (label: string, signal: AbortSignal): Promise<number[]> {
    const response = await request(`${repo}/issues?state=open&per_page=10&labels=${encodeURIComponent(label)}`, { method: 'GET', headers, signal })
    const issues = await response.json() as unknown
    return Array.isArray(issues)
      ? issues.flatMap((issue: { number?: unknown }) => typeof issue?.number === 'number' ? [issue.number] : [])
      : []
  }

  async function comment (issue: number, body: string, signal: AbortSignal): Promise<void> {
    await discard(await request(`${repo}/issues/${issue}/comments`, { headers, body: { body }, signal }))
  }

  return {
    secrets: [options.token],
    async send (notice, signal) {
      const label = alertLabel(notice.fingerprint)
      const open = await openIssues(label, signal)
      if (notice.status === 'firing') {
        if (open.length === 0) {
          await discard(await request(`${repo}/issues`, { headers, body: { title: headline(notice), body: issueBody(notice), labels: [label] }, signal }))
        } else if (notice.repeat) {
          await comment(open[0]!, `Still firing at ${rfc3339(notice.startsAt)}: value ${notice.value ?? 'none'} (threshold ${notice.threshold}).`, signal)
        }
        return
      }
      for (const issue of open) {
        await comment(issue, `Resolved at ${rfc3339(notice.endsAt ?? context.now())}: value ${notice.value ?? 'none'} (threshold ${notice.threshold}).`, signal)
        await discard(await request(`${repo}/issues/${issue}`, { method: 'PATCH', headers, body: { state: 'closed', state_reason: 'completed' }, signal }))
      }
    },
  }
}
