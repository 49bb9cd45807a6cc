import type { AlertNotice } from '../alert-notice.ts'
import type { ResolvedNotifier } from '../../options/resolve-plans.ts'
import { describeNotice, discard, headline, request, type Notifier } from './notifier.ts'

// Slack's limits: a header block's text, a section's text.
const MAX_HEADER = 150
const MAX_SECTION = 3000

/** `&`, `<` and `>` are the characters Slack's mrkdwn asks to escape. */
function escape (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function cut (text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** An incoming-webhook message: `text` (the notification's line) and `blocks` (what the channel shows). */
export function slackMessage (notice: AlertNotice): { text: string, blocks: unknown[] } {
  const title = `${notice.status === 'firing' ? ':rotating_light:' : ':white_check_mark:'} ${headline(notice)}`
  const lines = describeNotice(notice)
  return {
    text: escape(cut(`${headline(notice)}: ${lines[0]}`, MAX_SECTION)),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(title, MAX_HEADER), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: escape(cut(lines.join('\n'), MAX_SECTION)) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escape(`vigie · fingerprint ${notice.fingerprint}`) }] },
    ],
  }
}

/** Posts to a Slack incoming webhook (the URL is the secret). */
export function slackNotifier (options: Extract<ResolvedNotifier, { type: 'slack' }>): Notifier {
  return {
    secrets: [options.webhookUrl],
    async send (notice, signal) {
      await discard(await request(options.webhookUrl, { body: slackMessage(notice), signal }))
    },
  }
}
