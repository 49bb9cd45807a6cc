/** The statement keywords `db_operation` takes as they are; any other is `OTHER`. */
const OPERATIONS: ReadonlySet<string> = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'MERGE', 'UPSERT', 'WITH',
  'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'RENAME', 'CALL', 'DO',
  'SET', 'SHOW', 'EXPLAIN', 'DESCRIBE', 'ANALYZE', 'VACUUM', 'GRANT', 'REVOKE', 'LOCK', 'UNLOCK', 'COPY', 'PREPARE', 'EXECUTE',
  'DEALLOCATE', 'LISTEN', 'NOTIFY', 'UNLISTEN', 'USE', 'VALUES', 'TABLE', 'FETCH', 'DECLARE', 'CLOSE', 'REFRESH', 'REINDEX',
  'CLUSTER', 'COMMENT', 'DISCARD', 'RESET', 'CHECKPOINT', 'LOAD', 'OPTIMIZE', 'HANDLER', 'KILL', 'FLUSH'])
export const OTHER_OPERATION = 'OTHER'
/** Longer than any keyword above: the scan stops there. */
const MAX_KEYWORD = 12

/**
 * The statement's first keyword, upper-cased, when it is in the fixed list; else `OTHER`. One
 * linear pass: skips whitespace, `-- …` and `# …` line comments and `/* … *\/` block comments
 * (MySQL's `/*! … *\/` version comments too), then reads letters. No regex.
 */
export function statementOperation (statement: string): string {
  const length = statement.length
  let i = 0
  while (i < length) {
    const c = statement.charCodeAt(i)
    if (c === 32 || (c >= 9 && c <= 13) || c === 40 /* ( */ || c === 59 /* ; */) {
      i++
    } else if (c === 45 /* - */ && statement.charCodeAt(i + 1) === 45) {
      i = lineEnd(statement, i + 2)
    } else if (c === 35 /* # */) {
      i = lineEnd(statement, i + 1)
    } else if (c === 47 /* / */ && statement.charCodeAt(i + 1) === 42 /* * */) {
      const end = statement.indexOf('*/', i + 2)
      if (end === -1) return OTHER_OPERATION
      i = end + 2
    } else {
      break
    }
  }
  let end = i
  while (end < length && end - i <= MAX_KEYWORD && isLetter(statement.charCodeAt(end))) end++
  if (end === i || end - i > MAX_KEYWORD) return OTHER_OPERATION
  const keyword = statement.slice(i, end).toUpperCase()
  return OPERATIONS.has(keyword) ? keyword : OTHER_OPERATION
}

function lineEnd (text: string, from: number): number {
  const end = text.indexOf('\n', from)
  return end === -1 ? text.length : end + 1
}

function isLetter (c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}
