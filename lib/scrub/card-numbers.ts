const MIN_DIGITS = 13
const MAX_DIGITS = 19
const KEPT_DIGITS = 4
// Chunks shorter than this never take part in a window (see maskCardNumbers): card formats
// group digits by 4, 5 or 6, and lists of small numbers must not look like cards.
const MIN_WINDOW_CHUNK = 3

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function isSeparator (c: number): boolean {
  return c === 32 || c === 45 // space, dash
}

/** Luhn check over the digits of `s[from..to)`, separators skipped. */
function passesLuhn (s: string, from: number, to: number): boolean {
  let sum = 0
  let double = false
  for (let i = to - 1; i >= from; i--) {
    const c = s.charCodeAt(i)
    if (!isDigit(c)) continue
    let d = c - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Output under construction: `s` copied up to `copiedUpTo`, masked ranges in between. */
interface Masking {
  readonly s: string
  out: string
  copiedUpTo: number
}

/** `s[from..to)` with every digit but the last four turned into `*`, separators kept. */
function mask (m: Masking, from: number, to: number): void {
  let kept = to // moves back to the first of the last four digits
  for (let found = 0; found < KEPT_DIGITS;) {
    kept--
    if (isDigit(m.s.charCodeAt(kept))) found++
  }
  let masked = ''
  for (let i = from; i < kept; i++) masked += isDigit(m.s.charCodeAt(i)) ? '*' : m.s[i]
  m.out += m.s.slice(m.copiedUpTo, from) + masked + m.s.slice(kept, to)
  m.copiedUpTo = to
}

/**
 * Windows inside the group `s[from..to)`: the chunks are streamed through a queue of at most
 * seven (seven chunks of 3+ digits exceed 19), and the first queued chunk is settled as a
 * window start as soon as every window it could start is known.
 */
function maskWindows (m: Masking, from: number, to: number): void {
  const starts: number[] = []
  const ends: number[] = []
  let queuedDigits = 0

  function settleFirst (): void {
    let last = -1
    let digits = 0
    for (let j = 0; j < starts.length; j++) {
      digits += ends[j] - starts[j]
      if (digits > MAX_DIGITS) break
      if (digits >= MIN_DIGITS && passesLuhn(m.s, starts[0], ends[j])) last = j
    }
    if (last >= 0) mask(m, starts[0], ends[last])
    for (let k = 0; k <= Math.max(last, 0); k++) {
      queuedDigits -= ends[0] - starts[0]
      starts.shift()
      ends.shift()
    }
  }

  let i = from
  while (i < to) {
    const start = i
    while (i < to && isDigit(m.s.charCodeAt(i))) i++
    const length = i - start
    i++ // the separator
    if (length < MIN_WINDOW_CHUNK || length > MAX_DIGITS) {
      while (starts.length > 0) settleFirst()
      continue
    }
    starts.push(start)
    ends.push(start + length)
    queuedDigits += length
    while (queuedDigits > MAX_DIGITS) settleFirst()
  }
  while (starts.length > 0) settleFirst()
}

/**
 * Masks payment card numbers in free text, keeping the last four digits and the separators:
 * `4111 1111 1111 1111` → `**** **** **** 1111`.
 *
 * The rule, applied in one left-to-right pass with no regular expression:
 * - A *group* is a maximal run of digit *chunks* joined by exactly one space or one dash
 *   (`4111-1111-1111-1111`, `4111111111111111`). Letters or other characters may touch it.
 * - If the group holds 13–19 digits and passes Luhn, it is masked whole.
 * - Otherwise, windows of consecutive chunks of at least 3 digits each are tried: leftmost
 *   start first, the longest Luhn-valid window of 13–19 digits taken. This catches a card next
 *   to other numbers (`ref 12 4111 1111 1111 1111`) and two cards in a row.
 * - A single chunk of more than 19 digits is never a card: 40 digits in a row are left alone.
 * Every chunk starts at most one window of at most 19 digits, so the work is linear.
 */
export function maskCardNumbers (s: string): string {
  const m: Masking = { s, out: '', copiedUpTo: 0 }
  let i = 0
  while (i < s.length) {
    if (!isDigit(s.charCodeAt(i))) {
      i++
      continue
    }
    const groupStart = i
    let digits = 0
    let chunks = 0
    for (;;) {
      const start = i
      while (i < s.length && isDigit(s.charCodeAt(i))) i++
      digits += i - start
      chunks++
      if (i + 1 < s.length && isSeparator(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1))) i++
      else break
    }
    if (digits >= MIN_DIGITS && digits <= MAX_DIGITS && passesLuhn(s, groupStart, i)) mask(m, groupStart, i)
    else if (chunks > 1) maskWindows(m, groupStart, i)
  }
  return m.copiedUpTo === 0 ? s : m.out + s.slice(m.copiedUpTo)
}
