/**
 * A YAML document of plain data (objects, arrays, strings, finite numbers, booleans, null),
 * written the same way every time: keys in the order given, strings double-quoted as JSON writes
 * them (a JSON string is a YAML string), so no value can be read as another type or break the
 * structure. `header` lines become `#` comments at the top.
 */
export function toYaml (value: unknown, header: readonly string[] = []): string {
  const lines = header.map((line) => line === '' ? '#' : `# ${line}`)
  writeValue(value, 0, lines, '')
  return `${lines.join('\n')}\n`
}

type Lines = string[]

function scalar (value: unknown): string | null {
  if (value === null) return 'null'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a YAML number must be finite')
    return String(value)
  }
  return null
}

/**
 * Whether a string can be a literal block (`|-`): several lines, each of printable characters
 * without trailing or leading-only space, the first not indented (it would set the block's
 * indentation).
 */
function isBlock (value: string): boolean {
  if (!value.includes('\n')) return false
  const lines = value.split('\n')
  if (/^\s/.test(lines[0]!)) return false
  return lines.every((line) => line !== '' && !/\s$/.test(line) && !hasControl(line))
}

function hasControl (line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

function isEmpty (value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0
}

/** Writes `value` after `lead` (a key or `- `), at `indent` spaces for what goes below it. */
function writeValue (value: unknown, indent: number, lines: Lines, lead: string): void {
  const pad = ' '.repeat(indent)
  if (typeof value === 'string' && isBlock(value)) {
    // A multi-line string as a literal block: read as written, each line below its key.
    const inner = ' '.repeat(lead === '' || lead === '- ' ? indent + 2 : indent + 2)
    lines.push(`${pad}${lead}|-`)
    for (const line of value.split('\n')) lines.push(`${inner}${line}`)
    return
  }
  const text = scalar(value)
  if (text !== null) {
    lines.push(`${pad}${lead}${text}`.trimEnd())
    return
  }
  if (isEmpty(value)) {
    lines.push(`${pad}${lead}${Array.isArray(value) ? '[]' : '{}'}`)
    return
  }
  if (Array.isArray(value)) {
    if (lead !== '') lines.push(`${pad}${lead}`.trimEnd())
    const inner = lead === '' ? indent : indent + 2
    for (const item of value) writeItem(item, inner, lines)
    return
  }
  if (typeof value !== 'object') throw new TypeError(`cannot write a ${typeof value} as YAML`)
  if (lead !== '') lines.push(`${pad}${lead}`.trimEnd())
  const inner = lead === '' ? indent : indent + 2
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue
    writeValue(item, inner, lines, `${yamlKey(key)}: `)
  }
}

/** One item of a list: `- scalar`, or `- ` followed by the first key of an object. */
function writeItem (item: unknown, indent: number, lines: Lines): void {
  const pad = ' '.repeat(indent)
  if (scalar(item) !== null || isEmpty(item) || Array.isArray(item)) {
    writeValue(item, indent, lines, '- ')
    return
  }
  const start = lines.length
  writeValue(item, indent + 2, lines, '')
  // The object's first line takes the dash.
  lines[start] = `${pad}- ${lines[start]!.slice(indent + 2)}`
}

function yamlKey (key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key)
}
