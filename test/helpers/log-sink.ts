import { Writable } from 'node:stream'

/** A pino destination that parses every JSON line it is given: tests assert on real log output. */
export interface LogSink {
  readonly stream: Writable
  readonly lines: Array<Record<string, any>>
  /** Every line written so far, as raw text (to prove a secret appears nowhere). */
  readonly text: () => string
}

export function createLogSink (): LogSink {
  const lines: Array<Record<string, any>> = []
  const raw: string[] = []
  let pending = ''
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8')
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        raw.push(line)
        lines.push(JSON.parse(line))
        newline = pending.indexOf('\n')
      }
      callback()
    },
  })
  return { stream, lines, text: () => raw.join('\n') }
}
