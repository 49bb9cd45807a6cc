import type { QueryEvent } from './query-event.ts'
import { KEYWORD_FORMS, LONGEST_KEYWORD, SQL_KEYWORDS } from './sql-keywords.ts'

/**
 * Statement fingerprints: the shape of a statement without its values, as pg_stat_statements
 * keeps it. One pass over the statement, left to right, each character read a bounded number of
 * times (no regular expression):
 *
 * - literals become `?`: strings ('…', E'…', X'…', N'…', _utf8mb4'…', MySQL's "…", PostgreSQL's
 *   $tag$…$tag$), numbers (decimals, exponents, 0x…, a sign after an operator);
 * - placeholders ($1, ?, :name) become `?`;
 * - an all-values list after IN (or in ARRAY[…]) becomes `(?)`, whatever its length; a tuple equal
 *   to the one before it (VALUES (?, ?), (?, ?), …) is dropped, so multi-row INSERTs give one tuple;
 * - comments go (`-- …`, MySQL's `# …`, `/* … *\/`, nested in PostgreSQL), trailing `;` too;
 * - keywords are upper-cased (sql-keywords.ts), identifiers and quoted identifiers kept as
 *   written; spacing is rebuilt from the tokens, so the input's whitespace does not matter.
 *
 * The dialect decides what a quote means: in MySQL a backslash escapes in '…', and "…" is a string;
 * in PostgreSQL (standard_conforming_strings, the default since 9.1) a backslash is an ordinary
 * character outside E'…', and "…" is an identifier. Reading one dialect's statement with the
 * other's rules could make a value look like an identifier, so the caller names the dialect.
 *
 * Bounded: the first MAX_STATEMENT_CHARS of a statement are read, a fingerprint holds at most
 * MAX_FINGERPRINT_CHARS; either cut ends the fingerprint with ` …`. A literal cut short, or never
 * closed, is still a `?`; a comment never closed runs to the end.
 */
export const MAX_STATEMENT_CHARS = 16 * 1024
export const MAX_FINGERPRINT_CHARS = 2048
export const CUT_MARK = ' …'

export type SqlDialect = QueryEvent['system']

const UNCLOSED = -1
/** Longest dollar-quote tag searched for: PostgreSQL names are at most 63 bytes (NAMEDATALEN). */
const MAX_TAG = 64

// Token kinds.
const NONE = 0
const KEYWORD = 1
const IDENT = 2
const VALUE = 3
const OPEN = 4
const CLOSE = 5
const COMMA = 6
const DOT = 7
const OP = 8
const SEMI = 9
const CAST = 10
/** `[`: an array or a subscript, written without a space before it. */
const OPEN_BRACKET = 11

// Character codes.
const TAB = 9
const LF = 10
const CR = 13
const SPACE = 32
const BANG = 33
const DQUOTE = 34
const HASH = 35
const DOLLAR = 36
const QUOTE = 39
const LPAREN = 40
const RPAREN = 41
const STAR = 42
const PLUS = 43
const COMMA_CHAR = 44
const DASH = 45
const DOT_CHAR = 46
const SLASH = 47
const COLON = 58
const SEMICOLON = 59
const QMARK = 63
const AT = 64
const LBRACKET = 91
const BACKSLASH = 92
const RBRACKET = 93
const UNDERSCORE = 95
const BACKTICK = 96

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function isSpace (c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR)
}

/** Letters, `_`, and every non-ASCII code unit (identifiers may be in any script). */
function isWordStart (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE || c >= 128
}

function isWordChar (c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === DOLLAR
}

/** Characters of operators: + - * / < > = ~ ! @ # % ^ & | and { } (ODBC escapes). */
function isOperatorChar (c: number): boolean {
  return c === PLUS || c === DASH || c === STAR || c === SLASH || c === 60 || c === 61 || c === 62 || c === 126 ||
    c === BANG || c === AT || c === HASH || c === 37 || c === 94 || c === 38 || c === 124 || c === 123 || c === 125
}

/** After these, `-1` and `+1` are signed numbers; after a name, a value or `)`, the sign is an operator. */
function signMayFollow (kind: number): boolean {
  return kind === NONE || kind === OPEN || kind === OPEN_BRACKET || kind === COMMA || kind === OP || kind === KEYWORD || kind === SEMI || kind === CAST
}

/** A space between two tokens: spacing is rebuilt from the tokens, never copied. */
function spaceBetween (previous: number, kind: number): boolean {
  if (previous === NONE || previous === OPEN || previous === OPEN_BRACKET || previous === DOT || previous === CAST) return false
  if (kind === CLOSE || kind === COMMA || kind === DOT || kind === SEMI || kind === CAST || kind === OPEN_BRACKET) return false
  // A call or a column list: count(*), users(id, name).
  return !(kind === OPEN && previous === IDENT)
}

/**
 * A parenthesised group being written. A group after IN (or ARRAY[) is "pending" while it holds
 * only values and commas: those are counted, not written, and the group closes as `(?)`.
 *
 * Each open group writes into a text of its own, joined to its parent's when it closes: a tuple is
 * then a string of its own, compared with the tuple before it without copying the fingerprint,
 * and dropping a repeated one puts back a string kept from before its comma.
 */
interface Group {
  /** The parent's text up to and with this group's `(`. */
  readonly outer: string
  /** Still only values and commas, after IN / ARRAY. */
  pending: boolean
  values: number
  expectValue: boolean
  /** The text of the previous sibling tuple (`(…), (`), from after its `(`; null when none. */
  readonly sameAs: string | null
  /** The parent's text before the comma: what it goes back to when this tuple repeats the previous one. */
  readonly restore: string
  /** The last closed child group's text from after its `(`, and the token count when it closed. */
  childText: string | null
  childToken: number
}

function newGroup (outer: string, pending: boolean, sameAs: string | null, restore: string): Group {
  return { outer, pending, values: 0, expectValue: true, sameAs, restore, childText: null, childToken: -1 }
}

/** The fingerprint under construction: tokens appended with the space their kinds call for. */
class Output {
  /** The innermost open group's text (the whole text at the top level). */
  text = ''
  /** The text before the last token was appended. */
  beforeLast = ''
  /** Length of the open groups' outer texts: the fingerprint's length is base + text.length. */
  base = 0
  /** Tokens appended. */
  tokens = 0
  readonly groups: Group[] = [newGroup('', false, null, '')]
  last = NONE
  lastKeyword = ''
  /** Where a run of trailing `;` starts. */
  semicolons = -1
  full = false

  token (kind: number, text: string): void {
    const group = this.groups[this.groups.length - 1]
    if (group.pending) {
      if (kind === VALUE && group.expectValue) {
        group.values++
        group.expectValue = false
        return
      }
      if (kind === COMMA && !group.expectValue) {
        group.expectValue = true
        return
      }
      this.writePending(group)
    }
    this.push(kind, text)
  }

  push (kind: number, token: string): void {
    const space = spaceBetween(this.last, kind)
    const length = this.base + this.text.length
    if (length + token.length + (space ? 1 : 0) > MAX_FINGERPRINT_CHARS) {
      this.full = true
      return
    }
    if (kind === SEMI && this.last !== SEMI) this.semicolons = length
    this.beforeLast = this.text
    this.text += space ? ' ' + token : token
    this.last = kind
    this.tokens++
    if (kind === KEYWORD) this.lastKeyword = token
  }

  /** Writes the values and commas a pending group counted: it turned out not to be a list. */
  writePending (group: Group): void {
    group.pending = false
    for (let v = 0; v < group.values && !this.full; v++) {
      if (v > 0) this.push(COMMA, ',')
      this.push(VALUE, '?')
    }
    if (group.values > 0 && group.expectValue) this.push(COMMA, ',')
  }

  open (token: string): void {
    const listAfter = token === '(' ? 'IN' : 'ARRAY'
    const pending = this.last === KEYWORD && this.lastKeyword === listAfter
    const parent = this.groups[this.groups.length - 1]
    if (parent.pending) this.writePending(parent)
    // `(…), (` : compare this tuple with the previous one when it closes.
    const afterSibling = this.last === COMMA && parent.childToken === this.tokens - 1
    const restore = this.beforeLast
    this.push(token === '(' ? OPEN : OPEN_BRACKET, token)
    if (this.full) return
    this.groups.push(newGroup(this.text, pending, afterSibling ? parent.childText : null, restore))
    this.base += this.text.length
    this.text = ''
  }

  close (token: string): void {
    if (this.groups.length === 1) {
      this.token(CLOSE, token)
      return
    }
    const group = this.groups[this.groups.length - 1]
    if (group.pending) {
      group.pending = false
      if (group.values > 0 && !group.expectValue) this.push(VALUE, '?')
      else this.writePending(group)
    }
    this.push(CLOSE, token)
    if (this.full) return
    const inner = this.text
    this.groups.pop()
    this.base -= group.outer.length
    const parent = this.groups[this.groups.length - 1]
    if (group.sameAs !== null && inner === group.sameAs) {
      // A repeated tuple: drop it and the comma before it.
      this.text = group.restore
      this.last = CLOSE
      this.tokens = parent.childToken
      return
    }
    this.text = group.outer + inner
    parent.childText = inner
    parent.childToken = this.tokens
  }

  finish (cut: boolean): string {
    // Only the innermost group can still be pending: opening a child writes its parent out.
    const group = this.groups[this.groups.length - 1]
    if (group.pending && !this.full) {
      group.pending = false
      if (group.values > 0) this.push(VALUE, '?')
    }
    let text = this.text
    for (let k = this.groups.length - 1; k > 0; k--) text = this.groups[k].outer + text
    if (this.last === SEMI) text = text.slice(0, this.semicolons)
    return cut || this.full ? text + CUT_MARK : text
  }
}

/**
 * End of a quoted run opening before `from` and closed by `quote` (doubled: itself); `backslash`:
 * `\\` escapes. UNCLOSED when the statement ends first.
 */
function quotedEnd (s: string, from: number, n: number, quote: number, backslash: boolean): number {
  let i = from
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === BACKSLASH && backslash) {
      i += 2
    } else if (c === quote) {
      if (s.charCodeAt(i + 1) !== quote) return i + 1
      i += 2
    } else {
      i++
    }
  }
  return UNCLOSED
}

function literalEnd (s: string, from: number, n: number, quote: number, backslash: boolean): number {
  const end = quotedEnd(s, from, n, quote, backslash)
  return end === UNCLOSED ? n : end
}

function lineEnd (s: string, from: number, n: number): number {
  let i = from
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === LF || c === CR) return i + 1
    i++
  }
  return n
}

/** End of a block comment whose `/*` ends at `from`; PostgreSQL's nest, MySQL's do not. */
function blockCommentEnd (s: string, from: number, n: number, nested: boolean): number {
  let depth = 1
  let i = from
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === STAR && s.charCodeAt(i + 1) === SLASH) {
      i += 2
      if (--depth === 0) return i
    } else if (nested && c === SLASH && s.charCodeAt(i + 1) === STAR) {
      i += 2
      depth++
    } else {
      i++
    }
  }
  return n
}

function digitsEnd (s: string, from: number, n: number): number {
  let i = from
  while (i < n && (isDigit(s.charCodeAt(i)) || s.charCodeAt(i) === UNDERSCORE)) i++
  return i
}

/** End of a number starting at `from` (a digit or `.`): 12, 1_000, 1.5, .5, 1e-3, and what sticks to it (0xFF, 1abc). */
function numberEnd (s: string, from: number, n: number): number {
  let i = digitsEnd(s, from, n)
  if (i < n && s.charCodeAt(i) === DOT_CHAR && s.charCodeAt(i + 1) !== DOT_CHAR) i = digitsEnd(s, i + 1, n)
  const e = s.charCodeAt(i) | 32
  if (e === 101) {
    const sign = s.charCodeAt(i + 1)
    const at = sign === PLUS || sign === DASH ? i + 2 : i + 1
    if (isDigit(s.charCodeAt(at))) i = digitsEnd(s, at, n)
  }
  while (i < n && isWordChar(s.charCodeAt(i))) i++
  return i
}

function wordEnd (s: string, from: number, n: number): number {
  let i = from
  while (i < n && isWordChar(s.charCodeAt(i))) i++
  return i
}

/** A word right before a quote that makes it part of the literal: E'…', X'…', B'…', N'…', _charset'…'. */
function isLiteralPrefix (s: string, from: number, to: number): boolean {
  const c = s.charCodeAt(from) | 32
  if (to - from === 1) return c === 101 || c === 120 || c === 98 || c === 110
  return s.charCodeAt(from) === UNDERSCORE
}

/** `--` opens a comment; MySQL's only when a space or a control character (or the end) follows. */
function isDashComment (s: string, i: number, n: number, mysql: boolean): boolean {
  if (s.charCodeAt(i + 1) !== DASH) return false
  if (!mysql || i + 2 >= n) return true
  const next = s.charCodeAt(i + 2)
  return next <= SPACE
}

/**
 * The statement's fingerprint: its tokens with every literal turned into `?` (see above). Never
 * throws, reads each character of the first MAX_STATEMENT_CHARS a bounded number of times.
 */
export function fingerprintStatement (sql: string, dialect: SqlDialect): string {
  if (typeof sql !== 'string') return ''
  const cut = sql.length > MAX_STATEMENT_CHARS
  const s = cut ? sql.slice(0, MAX_STATEMENT_CHARS) : sql
  const n = s.length
  const mysql = dialect === 'mysql'
  const out = new Output()
  let i = 0
  while (i < n && !out.full) {
    const c = s.charCodeAt(i)
    const next = s.charCodeAt(i + 1)
    if (isSpace(c)) {
      i++
    } else if (c === QUOTE) {
      i = literalEnd(s, i + 1, n, QUOTE, mysql)
      out.token(VALUE, '?')
    } else if (c === DQUOTE || c === BACKTICK) {
      const end = quotedEnd(s, i + 1, n, c, mysql && c === DQUOTE)
      // MySQL's "…" is a string; an identifier never closed may hold the rest of the statement.
      if ((mysql && c === DQUOTE) || end === UNCLOSED) out.token(VALUE, '?')
      else out.token(IDENT, s.slice(i, end))
      i = end === UNCLOSED ? n : end
    } else if (c === DASH && isDashComment(s, i, n, mysql)) {
      i = lineEnd(s, i + 2, n)
    } else if (c === HASH && mysql) {
      i = lineEnd(s, i + 1, n)
    } else if (c === SLASH && next === STAR) {
      i = blockCommentEnd(s, i + 2, n, !mysql)
    } else if (isDigit(c) || (c === DOT_CHAR && isDigit(next) && out.last !== IDENT && out.last !== CLOSE)) {
      i = numberEnd(s, i, n)
      out.token(VALUE, '?')
    } else if ((c === DASH || c === PLUS) && signMayFollow(out.last) && (isDigit(next) || (next === DOT_CHAR && isDigit(s.charCodeAt(i + 2))))) {
      i = numberEnd(s, i + 1, n)
      out.token(VALUE, '?')
    } else if (c === DOLLAR) {
      i = dollar(s, i, n, mysql, out)
    } else if (c === QMARK) {
      i++
      out.token(VALUE, '?')
    } else if (c === COLON) {
      if (next === COLON) {
        i += 2
        out.token(CAST, '::')
      } else if (isWordStart(next)) {
        i = wordEnd(s, i + 1, n)
        out.token(VALUE, '?')
      } else {
        i = operator(s, i, n, mysql, out)
      }
    } else if (c === LPAREN || c === LBRACKET) {
      i++
      out.open(c === LPAREN ? '(' : '[')
    } else if (c === RPAREN || c === RBRACKET) {
      i++
      out.close(c === RPAREN ? ')' : ']')
    } else if (c === COMMA_CHAR) {
      i++
      out.token(COMMA, ',')
    } else if (c === SEMICOLON) {
      i++
      out.token(SEMI, ';')
    } else if (c === DOT_CHAR) {
      i++
      out.token(DOT, '.')
    } else if (isWordStart(c) || (mysql && c === AT)) {
      i = word(s, i, n, mysql, out)
    } else if (isOperatorChar(c)) {
      i = operator(s, i, n, mysql, out)
    } else {
      i++
      out.token(OP, s[i - 1])
    }
  }
  return out.finish(cut)
}

/** A word: a keyword, an identifier, a MySQL variable (@name, @@name), or a literal's prefix. */
function word (s: string, from: number, n: number, mysql: boolean, out: Output): number {
  let start = from
  if (mysql) while (start < n && s.charCodeAt(start) === AT) start++
  const end = wordEnd(s, start, n)
  if (end === start) {
    // A lone `@` before a quote or an operator.
    out.token(OP, s.slice(from, start))
    return start
  }
  if (start === from && s.charCodeAt(end) === QUOTE && isLiteralPrefix(s, from, end)) {
    const escapes = mysql || (s.charCodeAt(from) | 32) === 101
    out.token(VALUE, '?')
    return literalEnd(s, end + 1, n, QUOTE, escapes)
  }
  const text = s.slice(from, end)
  if (start === from && end - from <= LONGEST_KEYWORD) {
    const keyword = keywordOf(text)
    if (keyword !== undefined) {
      out.token(KEYWORD, keyword)
      return end
    }
  }
  out.token(IDENT, text)
  return end
}

/** The keyword a word is, upper-cased; toUpperCase() only for words in mixed case. */
function keywordOf (text: string): string | undefined {
  const keyword = KEYWORD_FORMS.get(text)
  if (keyword !== undefined) return keyword
  let lower = false
  let upper = false
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k)
    if (c >= 97 && c <= 122) lower = true
    else if (c >= 65 && c <= 90) upper = true
  }
  if (!lower || !upper) return undefined
  const upperCased = text.toUpperCase()
  return SQL_KEYWORDS.has(upperCased) ? upperCased : undefined
}

/** `$1` (a placeholder), `$tag$…$tag$` (a PostgreSQL literal), or `$` as an operator. */
function dollar (s: string, from: number, n: number, mysql: boolean, out: Output): number {
  const next = s.charCodeAt(from + 1)
  if (isDigit(next)) {
    out.token(VALUE, '?')
    return digitsEnd(s, from + 1, n)
  }
  if (!mysql && (next === DOLLAR || isWordStart(next))) {
    let j = from + 1
    while (j < n && isWordChar(s.charCodeAt(j)) && s.charCodeAt(j) !== DOLLAR) j++
    if (s.charCodeAt(j) === DOLLAR) {
      out.token(VALUE, '?')
      // A longer tag than MAX_TAG: the rest is taken as the literal, so the search for the
      // closing tag stays linear (at most MAX_TAG comparisons per character).
      if (j - from > MAX_TAG) return n
      const delimiter = s.slice(from, j + 1)
      const close = s.indexOf(delimiter, j + 1)
      return close < 0 ? n : close + delimiter.length
    }
  }
  out.token(OP, '$')
  return from + 1
}

/**
 * A run of operator characters (`>=`, `<>`, `->>`, `@>`, `:=`), stopped before a comment and
 * before a sign that starts a number (`=-1`).
 */
function operator (s: string, from: number, n: number, mysql: boolean, out: Output): number {
  let i = from + 1
  while (i < n) {
    const c = s.charCodeAt(i)
    if (!isOperatorChar(c) && c !== COLON) break
    if (c === COLON && s.charCodeAt(i + 1) === COLON) break
    if (c === DASH && isDashComment(s, i, n, mysql)) break
    if (c === SLASH && s.charCodeAt(i + 1) === STAR) break
    if (c === HASH && mysql) break
    if ((c === DASH || c === PLUS) && isDigit(s.charCodeAt(i + 1))) break
    i++
  }
  out.token(OP, s.slice(from, i))
  return i
}
