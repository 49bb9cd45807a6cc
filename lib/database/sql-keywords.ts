// The words a statement fingerprint writes in upper case (data only). Any other word is an
// identifier and is kept as written. Function names (count, coalesce, now, …) are not here: they
// keep the case the statement gave them, as a table or a column would.

const WORDS = `
  ADD ALL ALTER ANALYZE AND ANY ARRAY AS ASC BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE
  COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
  CURRENT_USER DATABASE DEALLOCATE DECLARE DEFAULT DELETE DESC DISTINCT DO DROP DUPLICATE ELSE
  END ESCAPE EXCEPT EXECUTE EXISTS EXPLAIN FALSE FETCH FILTER FIRST FOR FOREIGN FROM FULL GRANT
  GROUP HAVING IF IGNORE ILIKE IN INDEX INNER INSERT INTERSECT INTERVAL INTO IS ISNULL JOIN KEY
  LAST LATERAL LEFT LIKE LIMIT LOCK LOCKED MATERIALIZED MERGE NATURAL NEXT NO NOT NOTHING
  NOTNULL NOWAIT NULL NULLS OF OFFSET ON ONLY OR ORDER OUTER OVER PARTITION PREPARE PRIMARY
  RECURSIVE REFERENCES RELEASE REPLACE RESTRICT RETURNING REVOKE RIGHT ROLLBACK ROW ROWS
  SAVEPOINT SELECT SET SHARE SHOW SIMILAR SKIP SOME START STRAIGHT_JOIN TABLE TEMPORARY THEN TO
  TRANSACTION TRUE TRUNCATE UNION UNIQUE UNKNOWN UPDATE USE USING VACUUM VALUE VALUES VIEW WHEN
  WHERE WINDOW WITH WITHIN WORK
`

/** Upper-case keywords. */
export const SQL_KEYWORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((word) => word !== ''))

/** The longest keyword: longer words are identifiers without a lookup. */
export const LONGEST_KEYWORD = Math.max(...[...SQL_KEYWORDS].map((word) => word.length))

/** Keywords written all in lower case or all in upper case, to their upper case: one lookup, no toUpperCase(). */
export const KEYWORD_FORMS: ReadonlyMap<string, string> = new Map([...SQL_KEYWORDS].flatMap((word) => [[word, word], [word.toLowerCase(), word]]))
