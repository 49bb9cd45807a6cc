import { isDigit } from './char-classes.ts'

const MIN_DIGITS = 13
const MAX_DIGITS = 19
const KEPT_DIGITS = 4
// Chunks shorter than this never take part in a window (see maskCardNumbers): card formats
// group digits by 4, 5 or 6, and lists of small numbers must not look like cards.
const MIN_WINDOW_CHUNK = 3

/** Between two chunks of a card: a space, a no-break space, a dash, a dot or a slash. */
function isSeparator (c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x202f || c === 45 || c === 46 || c === 47
}

/** The separator after the chunk ending at `i`: one or two separator characters, then a digit; 0 when there is none. */
function separatorLength (s: string, i: number): number {
  if (!isSeparator(s.charCodeAt(i))) return 0
  if (isDigit(s.charCodeAt(i + 1))) return 1
  return isSeparator(s.charCodeAt(i + 1)) && isDigit(s.charCodeAt(i + 2)) ? 2 : 0
}

/**
 * True when `count` digits (13 to 19) whose first six are `prefix` are a number some card
 * network issues: its issuer prefix and a length valid for it (Visa, Mastercard, Amex, Discover,
 * JCB, Diners, UnionPay, Maestro, Mir, RuPay). A 13-digit epoch-millisecond timestamp (`17…`) or
 * an IMEI is none of these.
 */
function isIssuedCardNumber (prefix: number, count: number): boolean {
  const p2 = Math.floor(prefix / 10_000)
  const p4 = Math.floor(prefix / 100)
  if (p2 >= 40 && p2 <= 49) return count === 13 || count === 16 || count === 19 // Visa
  if (p2 === 34 || p2 === 37) return count === 15 // Amex
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return count === 16 // Mastercard
  if (p4 >= 2200 && p4 <= 2204) return count >= 16 // Mir
  if (p2 === 35) return p4 >= 3528 && p4 <= 3589 && count >= 16 // JCB
  if (p2 === 30 || p2 === 36 || p2 === 38 || p2 === 39) return count >= 14 // Diners
  if (p2 === 50 || (p2 >= 56 && p2 <= 59)) return count >= 13 // Maestro
  if (p2 >= 60 && p2 <= 69) return count >= 16 // Discover, UnionPay, Maestro, RuPay
  if (p2 === 81 || p2 === 82) return count === 16 // RuPay
  return false
}

/** The digits of `s[from..to)` (separators skipped) pass Luhn and are an issued card number. */
function isCardNumber (s: string, from: number, to: number): boolean {
  let prefix = 0
  let count = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (!isDigit(c)) continue
    if (++count <= 6) prefix = prefix * 10 + (c - 48)
  }
  return count >= MIN_DIGITS && count <= MAX_DIGITS && isIssuedCardNumber(prefix, count) && passesLuhn(s, from, to)
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
      if (digits >= MIN_DIGITS && isCardNumber(m.s, starts[0], ends[j])) last = j
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
    i += Math.max(separatorLength(m.s, i), 1)
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
 * - A *group* is a maximal run of digit *chunks* joined by one or two separators: a space, a
 *   no-break space, a dash, a dot or a slash (`4111-1111-1111-1111`, `4111.1111.1111.1111`,
 *   `4111  1111…`, `4111111111111111`). Letters or other characters may touch it.
 * - A *card number* is 13–19 digits that pass Luhn and start with a card network's issuer
 *   prefix, at a length valid for it (isIssuedCardNumber()).
 * - If the group is a card number, it is masked whole.
 * - Otherwise, windows of consecutive chunks of at least 3 digits each are tried: leftmost
 *   start first, the longest window that is a card number taken. This catches a card next
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
      const separator = separatorLength(s, i)
      if (separator === 0) break
      i += separator
    }
    if (digits >= MIN_DIGITS && digits <= MAX_DIGITS && isCardNumber(s, groupStart, i)) mask(m, groupStart, i)
    else if (chunks > 1 && digits >= MIN_DIGITS) maskWindows(m, groupStart, i)
  }
  return m.copiedUpTo === 0 ? s : m.out + s.slice(m.copiedUpTo)
}
