import fc from 'fast-check'
import t from 'tap'
import { CUT_MARK, MAX_FINGERPRINT_CHARS, MAX_STATEMENT_CHARS, fingerprintStatement, type SqlDialect } from '../../lib/database/statement-fingerprint.ts'

const pg = (sql: string): string => fingerprintStatement(sql, 'postgresql')
const my = (sql: string): string => fingerprintStatement(sql, 'mysql')

t.test('PostgreSQL statements as ORMs and drivers send them', async (t) => {
  const corpus: Array<[string, string]> = [
    // Prisma
    ['SELECT "public"."User"."id", "public"."User"."email" FROM "public"."User" WHERE ("public"."User"."email" = $1 AND 1=1) LIMIT $2 OFFSET $3',
      'SELECT "public"."User"."id", "public"."User"."email" FROM "public"."User" WHERE ("public"."User"."email" = ? AND ? = ?) LIMIT ? OFFSET ?'],
    // TypeORM
    ['SELECT "user"."id" AS "user_id", "user"."name" AS "user_name" FROM "user" "user" WHERE "user"."id" IN ($1, $2, $3)',
      'SELECT "user"."id" AS "user_id", "user"."name" AS "user_name" FROM "user" "user" WHERE "user"."id" IN (?)'],
    // knex
    ['insert into "pets" ("name", "owner_id") values ($1, $2), ($3, $4) returning "id"',
      'INSERT INTO "pets"("name", "owner_id") VALUES (?, ?) RETURNING "id"'],
    // Sequelize, values inline
    ['SELECT "id", "name" FROM "Users" AS "User" WHERE "User"."id" IN (1, 2, 3) AND "User"."deletedAt" IS NULL;',
      'SELECT "id", "name" FROM "Users" AS "User" WHERE "User"."id" IN (?) AND "User"."deletedAt" IS NULL'],
    // Drizzle
    ['select "id", "name" from "users" where "users"."id" = $1', 'SELECT "id", "name" FROM "users" WHERE "users"."id" = ?'],
    ['UPDATE accounts SET balance = balance - 100.50 WHERE id = 42 RETURNING balance',
      'UPDATE accounts SET balance = balance - ? WHERE id = ? RETURNING balance'],
    ['INSERT INTO t (id, name) VALUES (1, \'a\') ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"',
      'INSERT INTO t(id, name) VALUES (?, ?) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"'],
    ['SELECT pg_sleep(0.6)', 'SELECT pg_sleep(?)'],
    ["SELECT data->>'email' FROM docs WHERE tags @> ARRAY['a','b'] AND x::jsonb ? 'k' AND created_at > now() - interval '5 minutes'",
      'SELECT data ->> ? FROM docs WHERE tags @> ARRAY[?] AND x::jsonb ? ? AND created_at > now() - INTERVAL ?'],
    ['CREATE FUNCTION f() RETURNS int AS $body$ SELECT \'secret\' $body$ LANGUAGE sql', 'CREATE FUNCTION f() RETURNS int AS ? LANGUAGE sql'],
    ['select count(*) from a /* outer /* inner */ still outer */ where x in (select id from b where c in (1,2))',
      'SELECT count(*) FROM a WHERE x IN (SELECT id FROM b WHERE c IN (?))'],
    ["SELECT E'it\\'s', 'C:\\' AS path, $$a 'b' c$$, $t$ $$ $t$, B'0101', X'FF'", 'SELECT ?, ? AS path, ?, ?, ?, ?'],
    ['SELECT a[1], a[2:3], ARRAY[1, -2, 3.5e-3] FROM t', 'SELECT a[?], a[? : ?], ARRAY[?] FROM t'],
    ['SELECT * FROM t WHERE x = ANY($1::int[])', 'SELECT * FROM t WHERE x = ANY (?::int[])'],
    ['BEGIN', 'BEGIN'],
    ['SAVEPOINT sp1; RELEASE SAVEPOINT sp1;', 'SAVEPOINT sp1; RELEASE SAVEPOINT sp1'],
  ]
  for (const [sql, fingerprint] of corpus) t.equal(pg(sql), fingerprint, sql)
})

t.test('MySQL and MariaDB statements as ORMs and drivers send them', async (t) => {
  const corpus: Array<[string, string]> = [
    // knex
    ['select `pets`.* from `pets` where `owner_id` in (?, ?, ?)', 'SELECT `pets`.* FROM `pets` WHERE `owner_id` IN (?)'],
    // Sequelize
    ["SELECT `id`, `name` FROM `Users` AS `User` WHERE `User`.`email` = 'a@b.c' LIMIT 1;",
      'SELECT `id`, `name` FROM `Users` AS `User` WHERE `User`.`email` = ? LIMIT ?'],
    // TypeORM
    ['INSERT INTO `user`(`id`, `name`) VALUES (DEFAULT, ?)', 'INSERT INTO `user`(`id`, `name`) VALUES (DEFAULT, ?)'],
    // mysql2's format(), values inline
    ["SELECT * FROM users WHERE name = 'O\\'Brien' AND nick = \"the \\\"kid\\\"\" AND age > 30", 'SELECT * FROM users WHERE name = ? AND nick = ? AND age > ?'],
    ['SELECT SLEEP(0.6)', 'SELECT SLEEP(?)'],
    ["INSERT INTO `t` (`a`,`b`) VALUES (1,'x'),(2,'y') ON DUPLICATE KEY UPDATE `b` = VALUES(`b`)",
      'INSERT INTO `t`(`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `b` = VALUES (`b`)'],
    ["# a note with 'quotes'\nSELECT 1 /* it's a comment */ FROM dual -- trailing 'x'", 'SELECT ? FROM dual'],
    ['SELECT 5--1', 'SELECT ? - ?'],
    ["SELECT @total := 0, @@session.sql_mode, _utf8mb4'abc' COLLATE utf8mb4_bin, 0x1F, x'1F'", 'SELECT @total := ?, @@session.sql_mode, ? COLLATE utf8mb4_bin, ?, ?'],
    ['SELECT * FROM t WHERE a = :id AND b = :other', 'SELECT * FROM t WHERE a = ? AND b = ?'],
    ['SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t /* a /* b */ c', 'SELECT * FROM t c'],
  ]
  for (const [sql, fingerprint] of corpus) t.equal(my(sql), fingerprint, sql)
})

t.test('IN lists of any length and multi-row VALUES give one fingerprint', async (t) => {
  for (const [dialect, placeholder] of [['postgresql', (k: number) => `$${k + 1}`], ['mysql', () => '?']] as const) {
    const fingerprints = new Set<string>()
    for (let n = 1; n <= 60; n++) {
      const list = Array.from({ length: n }, (_, k) => placeholder(k)).join(', ')
      const literals = Array.from({ length: n }, (_, k) => (k % 2 === 0 ? String(k * 7) : `'v${k}'`)).join(',')
      fingerprints.add(fingerprintStatement(`SELECT * FROM pets WHERE owner_id IN (${list}) ORDER BY id`, dialect))
      fingerprints.add(fingerprintStatement(`select * from pets where owner_id in(${literals}) order by id`, dialect))
    }
    t.same([...fingerprints], ['SELECT * FROM pets WHERE owner_id IN (?) ORDER BY id'], dialect)

    const inserts = new Set<string>()
    for (let n = 1; n <= 30; n++) {
      const rows = Array.from({ length: n }, (_, k) => `(${k}, 'name ${k}', NULL, now())`).join(', ')
      inserts.add(fingerprintStatement(`INSERT INTO pets (id, name, owner_id, created_at) VALUES ${rows}`, dialect))
    }
    t.same([...inserts], ['INSERT INTO pets(id, name, owner_id, created_at) VALUES (?, ?, NULL, now())'], dialect)
  }
  t.equal(pg('SELECT 1 FROM t WHERE (a, b) IN ((1, 2), (3, 4), (5, 6))'), pg('SELECT 1 FROM t WHERE (a, b) IN ((7, 8))'))
  t.equal(pg('SELECT 1 FROM t WHERE a IN (1, b)'), 'SELECT ? FROM t WHERE a IN (?, b)', 'not all values: written out')
  t.equal(pg('SELECT 1 FROM t WHERE a IN (1, 2, b, 3)'), 'SELECT ? FROM t WHERE a IN (?, ?, b, ?)')
  t.equal(pg('SELECT 1 FROM t WHERE a IN ()'), 'SELECT ? FROM t WHERE a IN ()')
  t.equal(pg('SELECT 1 FROM t WHERE a IN (1, 2,)'), 'SELECT ? FROM t WHERE a IN (?, ?,)')
  t.equal(pg('INSERT INTO t VALUES (1, 2), (3, now())'), 'INSERT INTO t VALUES (?, ?), (?, now())', 'different tuples stay')
  t.equal(pg('INSERT INTO t VALUES (1), (2); INSERT INTO t VALUES (3), (4), (5);'), 'INSERT INTO t VALUES (?); INSERT INTO t VALUES (?)')
  t.equal(pg('INSERT INTO t VALUES ((1), (2)), ((3), (4)), ((5), (6))'), 'INSERT INTO t VALUES ((?))', 'tuples of tuples')
  t.equal(pg('INSERT INTO t VALUES (1), (2), (now()), (3), (4)'), 'INSERT INTO t VALUES (?), (now()), (?)', 'a tuple is compared with the one before it')
  t.equal(pg('SELECT (1), x, (2)'), 'SELECT (?), x, (?)', 'not siblings: something between')
})

t.test('spacing, case and comments do not change a fingerprint', async (t) => {
  const variants = [
    'SELECT id FROM users WHERE email = $1 AND age>=18',
    'select id from users where email=$1 and age >= 18',
    '  SELECT\n\tid\r\n  FROM users -- who\n WHERE /* sqlcommenter */ email = $2 AND age >=  21 ;',
    "SELECT id FROM users WHERE email = 'x' AND age >= 18 /*request_id='abc',route='%2Fusers'*/",
  ]
  t.same(new Set(variants.map(pg)), new Set(['SELECT id FROM users WHERE email = ? AND age >= ?']))
  t.equal(pg('SELECT a=-1, b - 1, c-1, -d, f(-2.5), g * -.5, 1e10, 1.5E+3'), 'SELECT a = ?, b - ?, c - ?, - d, f(?), g * ?, ?, ?')
})

t.test('comment markers in strings and quotes in comments', async (t) => {
  t.equal(pg("SELECT '-- no', '/* no */', 'a''b' FROM t"), 'SELECT ?, ?, ? FROM t')
  t.equal(my("SELECT '-- no', '# no', '/* no */' FROM t"), 'SELECT ?, ?, ? FROM t')
  t.equal(pg("SELECT 1 /* it's */ FROM t -- it's\nWHERE a = 'x'"), 'SELECT ? FROM t WHERE a = ?')
  t.equal(pg('SELECT "a -- b", "c /* d" FROM t'), 'SELECT "a -- b", "c /* d" FROM t', 'quoted identifiers kept')
  t.equal(pg('SELECT 1 # 2'), 'SELECT ? # ?', '# is an operator in PostgreSQL')
  t.equal(pg('SELECT a FROM t WHERE a=-- note\n1'), 'SELECT a FROM t WHERE a = ?', 'an operator ends where a comment starts')
  t.equal(pg('SELECT a FROM t WHERE a</* note */1'), 'SELECT a FROM t WHERE a < ?')
  t.equal(my('SELECT a FROM t WHERE a=# note\n1'), 'SELECT a FROM t WHERE a = ?')
  t.equal(pg('SELECT *::text FROM t'), 'SELECT *::text FROM t')
  t.equal(pg('Select createdAt From t Where Id = 1'), 'SELECT createdAt FROM t WHERE Id = ?', 'keywords in mixed case')
})

t.test('non-ASCII', async (t) => {
  t.equal(pg('SELECT * FROM "café" WHERE städte = \'Zoë 😀\' AND 名前 = $1'), 'SELECT * FROM "café" WHERE städte = ? AND 名前 = ?')
  t.equal(my('SELECT `naïve` FROM t WHERE x = "日本語"'), 'SELECT `naïve` FROM t WHERE x = ?')
})

t.test('unterminated literals, identifiers and comments: never throw, never leak', async (t) => {
  const cases: Array<[SqlDialect, string, string]> = [
    ['postgresql', "SELECT 'abc", 'SELECT ?'],
    ['postgresql', "SELECT E'abc\\'", 'SELECT ?'],
    ['postgresql', 'SELECT $$abc', 'SELECT ?'],
    ['postgresql', 'SELECT $tag$abc $tag', 'SELECT ?'],
    ['postgresql', "SELECT \"abc = 'secret'", 'SELECT ?'],
    ['postgresql', 'SELECT 1 /* abc /* def */', 'SELECT ?'],
    ['postgresql', 'SELECT 1 -- abc', 'SELECT ?'],
    ['mysql', "SELECT 'abc\\", 'SELECT ?'],
    ['mysql', 'SELECT "abc', 'SELECT ?'],
    ['mysql', 'SELECT `abc', 'SELECT ?'],
    ['mysql', 'SELECT 1 /* abc', 'SELECT ?'],
    ['postgresql', 'SELECT * FROM t WHERE a IN (1, 2', 'SELECT * FROM t WHERE a IN (?'],
    ['postgresql', 'SELECT ((((1', 'SELECT ((((?'],
    ['postgresql', 'SELECT 1)))', 'SELECT ?)))'],
    ['postgresql', '', ''],
    ['mysql', ';;;', ''],
    ['postgresql', '$', '$'],
    ['postgresql', '\\ \u0000 \u00a0', '\\ \u0000 \u00a0'],
  ]
  for (const [dialect, sql, fingerprint] of cases) t.equal(fingerprintStatement(sql, dialect), fingerprint, JSON.stringify(sql))
  t.equal(fingerprintStatement(undefined as unknown as string, 'postgresql'), '', 'not a string: empty')
})

const SECRETS = ['hunter2-P@ss', '4111111111111111', '4111 1111 1111 1111', 'sk_live_51Habcdef', 'eyJhbGciOiJIUzI1NiJ9.e30.sig', '123-45-6789', 'Zoë😀geheim']

t.test('planted secrets never reach a fingerprint', async (t) => {
  const pgTemplates = [
    (s: string) => `SELECT * FROM users WHERE password = '${s}'`,
    (s: string) => `ALTER USER app WITH PASSWORD '${s}'`,
    (s: string) => `SELECT E'${s}\\'' AS x`,
    (s: string) => `SELECT $$${s}$$, $x$${s}$x$`,
    (s: string) => `INSERT INTO cards (pan, note) VALUES ('${s}', 'a'), ('${s}', 'b')`,
    (s: string) => `SELECT 1 FROM t WHERE a IN ('${s}', '${s}')`,
    (s: string) => `SELECT 1 /* ${s} */ FROM t -- ${s}`,
    (s: string) => `SELECT 'C:\\' AS p, '${s}' AS q`,
    (s: string) => `SELECT U&'${s}', N'${s}'`,
    (s: string) => `SELECT '${s}`,
  ]
  const myTemplates = [
    (s: string) => `SELECT * FROM users WHERE password = '${s}'`,
    (s: string) => `SELECT * FROM users WHERE password = "${s}"`,
    (s: string) => `CREATE USER 'app'@'%' IDENTIFIED BY '${s}'`,
    (s: string) => `SET @pw = _utf8mb4'${s}'`,
    (s: string) => `SELECT 'it\\'s ${s}', "say \\"${s}\\""`,
    (s: string) => `INSERT INTO cards (pan) VALUES ('${s}'), ('${s}')`,
    (s: string) => `SELECT 1 # ${s}\nFROM t /* ${s} */`,
    (s: string) => `SELECT "${s}`,
  ]
  for (const secret of SECRETS) {
    for (const [dialect, templates] of [['postgresql', pgTemplates], ['mysql', myTemplates]] as const) {
      for (const template of templates) {
        const fingerprint = fingerprintStatement(template(secret), dialect)
        const leaks = secret.split(/[^A-Za-z0-9]+/).filter((piece) => piece.length >= 3 && fingerprint.includes(piece))
        t.same(leaks, [], `${dialect}: ${template(secret)} → ${fingerprint}`)
      }
    }
    t.notOk(pg(`SELECT * FROM t WHERE pan = ${secret.replace(/ /g, '')}`).includes('4111'))
  }
})

t.test('property: the fingerprint does not depend on the values', async (t) => {
  const pgQuote = (v: string): string => `'${v.replaceAll("'", "''")}'`
  const myQuote = (v: string): string => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
  const myDouble = (v: string): string => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
  const pgDollar = (v: string): string => v.includes('$q$') ? pgQuote(v) : `$q$${v}$q$`
  const value = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom("'", "\\'", '--', '/*', '*/', '#', '$$', '"', '`', '\\', "''"))
  const shape = (q1: string, q2: string, n: string): string => `SELECT a, "b" FROM t WHERE c = ${q1} AND d IN (${q2}, ${n}) -- end`
  fc.assert(fc.property(value, value, fc.integer(), (v1, v2, n) => {
    t.equal(pg(shape(pgQuote(v1), pgDollar(v2), String(n))), 'SELECT a, "b" FROM t WHERE c = ? AND d IN (?)')
    t.equal(my(shape(myQuote(v1), myDouble(v2), String(n))), 'SELECT a, ? FROM t WHERE c = ? AND d IN (?)')
  }), { numRuns: 300 })
})

t.test('property: any input is fingerprinted within the bounds', async (t) => {
  const soup = fc.array(fc.constantFrom("'", '"', '`', '$', '$$', '$a$', '/*', '*/', '--', '#', '\\', '(', ')', '[', ']', ',', '?', ':', '::', '-', '1', '.5', 'e', 'IN', 'VALUES', ' ', '\n', 'x', 'é'), { maxLength: 200 })
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), soup.map((parts) => parts.join(''))), fc.constantFrom('postgresql', 'mysql'), (sql, dialect) => {
    const fingerprint = fingerprintStatement(sql, dialect as SqlDialect)
    t.ok(fingerprint.length <= MAX_FINGERPRINT_CHARS + CUT_MARK.length)
  }), { numRuns: 500 })
})

t.test('bounds: a long statement is cut and marked, a long fingerprint is capped', async (t) => {
  const long = 'SELECT * FROM t WHERE a = 1' + ' AND b = 2'.repeat(MAX_STATEMENT_CHARS / 10)
  const fingerprint = pg(long)
  t.ok(fingerprint.startsWith('SELECT * FROM t WHERE a = ? AND b = ?'))
  t.ok(fingerprint.endsWith(CUT_MARK))
  t.ok(fingerprint.length <= MAX_FINGERPRINT_CHARS + CUT_MARK.length)

  const columns = 'SELECT ' + Array.from({ length: 3000 }, (_, k) => `col${k}`).join(', ') + ' FROM t'
  const capped = pg(columns)
  t.ok(capped.endsWith(CUT_MARK))
  t.ok(capped.length <= MAX_FINGERPRINT_CHARS + CUT_MARK.length)
  t.equal(pg('SELECT a FROM t'), 'SELECT a FROM t', 'no mark when nothing is cut')

  const closing = pg('SELECT f(' + 'a'.repeat(MAX_FINGERPRINT_CHARS - 'SELECT f('.length) + ')')
  t.equal(closing.length, MAX_FINGERPRINT_CHARS + CUT_MARK.length, 'a closing parenthesis past the bound')
  t.ok(closing.endsWith('a' + CUT_MARK))
  const tag = '$' + 'a'.repeat(70) + '$'
  t.equal(pg(`SELECT ${tag} secret ${tag}, b FROM t`), 'SELECT ?', 'a dollar tag over 64 characters takes the rest as the literal')

  const longIn = `SELECT * FROM t WHERE id IN (${Array.from({ length: 100_000 }, (_, k) => k).join(', ')}) ORDER BY id`
  t.equal(pg(longIn), `SELECT * FROM t WHERE id IN (?${CUT_MARK}`, 'a list cut by the input bound')
})

/**
 * Nanoseconds per call of fn(small) and fn(large): the best of 7 samples of ≥ 10 ms each, the two
 * sampled in turn after a warm-up, so that load from elsewhere lands on both alike.
 */
function nsPerCall (fn: (input: string) => string, small: string, large: string): [number, number] {
  const best = [Infinity, Infinity]
  const inputs = [small, large]
  for (let sample = -1; sample < 7; sample++) {
    for (let which = 0; which < 2; which++) {
      let calls = 0
      const start = process.hrtime.bigint()
      let elapsed = 0
      while (elapsed < 10e6) {
        fn(inputs[which])
        calls++
        elapsed = Number(process.hrtime.bigint() - start)
      }
      if (sample >= 0) best[which] = Math.min(best[which], elapsed / calls)
    }
  }
  return [best[0], best[1]]
}

/**
 * nsPerCall() of the two inputs, measured again (up to 3 rounds) while the ratio is 6 or more: a
 * burst of load from elsewhere can spoil one round, a quadratic cost (16× for 4× the input) spoils
 * them all.
 */
function growth (fn: (input: string) => string, small: string, large: string): [number, number] {
  let times = nsPerCall(fn, small, large)
  for (let round = 1; round < 3 && times[1] / times[0] >= 6; round++) times = nsPerCall(fn, small, large)
  return times
}

t.test('adversarial inputs take linear time', async (t) => {
  const cases: Array<[string, SqlDialect, (n: number) => string]> = [
    ["' run", 'postgresql', (n) => "'".repeat(n)],
    ["' run", 'mysql', (n) => "'".repeat(n)],
    ['\\ run in a string', 'mysql', (n) => "'" + '\\'.repeat(n)],
    ['nested /*', 'postgresql', (n) => '/*'.repeat(n / 2)],
    ['/* */ pairs', 'mysql', (n) => '/**/'.repeat(n / 4)],
    ['IN list', 'postgresql', (n) => 'SELECT 1 WHERE a IN (' + '?,'.repeat(n / 2 - 1) + '?)'],
    ['VALUES rows', 'mysql', (n) => 'INSERT INTO t VALUES ' + '(?,?),'.repeat(n / 6 - 1) + '(?,?)'],
    ['open parens', 'postgresql', (n) => '('.repeat(n)],
    ['$a$ run', 'postgresql', (n) => '$a$'.repeat(n / 3)],
    ['long dollar tags', 'postgresql', (n) => ('$' + 'a'.repeat(60) + '$x').repeat(n / 63)],
    ['operators', 'postgresql', (n) => '=-'.repeat(n / 2)],
    ['dotted names', 'postgresql', (n) => 'a.'.repeat(n / 2)],
  ]
  for (const [name, dialect, build] of cases) {
    const fn = (sql: string): string => fingerprintStatement(sql, dialect)
    const [small, large] = growth(fn, build(4000), build(16000))
    t.ok(large / small < 6, `${name} (${dialect}): 4000 chars ${Math.round(small)} ns, 16000 chars ${Math.round(large)} ns`)
  }
  // Beyond the input bound the time stays flat: 1 MB and 4 MB.
  for (const [name, build] of [["'", (n: number) => "'".repeat(n)], ['/*', (n: number) => '/*'.repeat(n / 2)], ['IN list', (n: number) => 'SELECT 1 WHERE a IN (' + '1,'.repeat(n / 2)]] as const) {
    const [small, large] = growth(pg, build(1 << 20), build(4 << 20))
    t.ok(large / small < 6, `${name} 1 MiB ${Math.round(small)} ns, 4 MiB ${Math.round(large)} ns`)
  }
})
