import { REDACTED } from './sensitive-keys.ts'

const BEGIN = '-----BEGIN '
const END = '-----END '
const DASHES = '-----'
/** `-----BEGIN ENCRYPTED PRIVATE KEY-----` and `OPENSSH`, `RSA`, `EC`, `PGP … BLOCK` ones fit. */
const MAX_LABEL_LENGTH = 64

/**
 * The body of every PEM block whose label holds `PRIVATE KEY` → `[REDACTED]`, its BEGIN and END
 * lines kept (they say what was there). A block with no END line is masked to the end of the
 * text. Certificates and public keys are left as they are. Linear: each search starts where the
 * previous one stopped.
 */
export function maskPemBlocks (s: string): string {
  let at = s.indexOf(BEGIN)
  if (at < 0) return s
  let out = ''
  let copiedUpTo = 0
  while (at >= 0) {
    const labelStart = at + BEGIN.length
    const labelEnd = s.indexOf(DASHES, labelStart)
    if (labelEnd < 0) break
    if (labelEnd - labelStart > MAX_LABEL_LENGTH || !s.slice(labelStart, labelEnd).includes('PRIVATE KEY')) {
      at = s.indexOf(BEGIN, labelStart)
      continue
    }
    const bodyStart = labelEnd + DASHES.length
    const end = s.indexOf(END, bodyStart)
    out += s.slice(copiedUpTo, bodyStart) + REDACTED
    if (end < 0) return out
    copiedUpTo = end
    at = s.indexOf(BEGIN, end + END.length)
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}
