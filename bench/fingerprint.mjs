// Statement fingerprint micro-benchmark: ns per fingerprintStatement() on typical statements of
// both dialects, ns per FingerprintTable.record() with the memo hit (a statement sent again) and
// missed (every statement new), and the time on adversarial inputs of growing size.
// Imports the built package (run `npm run build` first). Writes nothing but the tables on stdout.
//
//   node bench/fingerprint.mjs            full run (about 30 s)
//   node bench/fingerprint.mjs --quick    fewer samples, for a smoke test

import os from 'node:os'
import { FingerprintTable } from '../dist/esm/database/fingerprint-table.js'
import { fingerprintStatement } from '../dist/esm/database/statement-fingerprint.js'
import { measureAll as measure } from './lib/measure.mjs'

const QUICK = process.argv.includes('--quick')
const SAMPLES = QUICK ? 3 : 11
const MIN_SAMPLE_NS = QUICK ? 2e6 : 5e6
const measureAll = (fns) => measure(fns, { samples: SAMPLES, minSampleNs: MIN_SAMPLE_NS })

const inList = (n, placeholder) => Array.from({ length: n }, (_, k) => placeholder(k)).join(', ')
const typical = [
  ['postgresql', 'SELECT 1', 'SELECT 1'],
  ['postgresql', 'Drizzle select by id', 'select "id", "name", "email" from "users" where "users"."id" = $1'],
  ['postgresql', 'Prisma findMany', 'SELECT "public"."User"."id", "public"."User"."email", "public"."User"."name", "public"."User"."createdAt" FROM "public"."User" WHERE ("public"."User"."email" = $1 AND 1=1) ORDER BY "public"."User"."id" ASC LIMIT $2 OFFSET $3'],
  ['postgresql', 'TypeORM IN (50 params)', `SELECT "user"."id" AS "user_id", "user"."name" AS "user_name" FROM "user" "user" WHERE "user"."id" IN (${inList(50, (k) => `$${k + 1}`)})`],
  ['postgresql', 'knex insert, 10 rows', `insert into "pets" ("name", "owner_id", "born") values ${inList(10, (k) => `($${3 * k + 1}, $${3 * k + 2}, $${3 * k + 3})`)} returning "id"`],
  ['mysql', 'Sequelize inline values', "SELECT `id`, `name`, `email` FROM `Users` AS `User` WHERE `User`.`email` = 'ada@example.com' AND `User`.`deletedAt` IS NULL LIMIT 1;"],
  ['mysql', 'knex IN (50 literals)', `select \`pets\`.* from \`pets\` where \`owner_id\` in (${inList(50, (k) => String(1000 + k))})`],
  ['mysql', 'mysql2 update', "UPDATE `orders` SET `status` = 'shipped', `updated_at` = NOW() WHERE `id` = 42 AND `status` = 'paid'"],
]

const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)
const event = (system, statement) => ({ system, database: 'bench', statement, durationMs: 1.5, rows: 1, error: undefined })

console.log(`vigie fingerprint bench — ${os.cpus()[0].model}, ${os.cpus().length} cpus, Node ${process.version}; median of ${SAMPLES} samples of ≥${MIN_SAMPLE_NS / 1e6} ms each`)
console.log('')
console.log(`${pad('statement', 34)}${lpad('chars', 7)}${lpad('fingerprint', 13)}${lpad('ns/char', 9)}${lpad('record hit', 12)}${lpad('record miss', 13)}`)
const hit = new FingerprintTable()
// memoChars 2: a generation holds one character, so no statement is ever remembered.
const miss = new FingerprintTable({ memoChars: 2 })
const fns = typical.flatMap(([system, , sql]) => [
  () => fingerprintStatement(sql, system),
  () => hit.record(event(system, sql)),
  () => miss.record(event(system, sql)),
])
const ns = measureAll(fns)
for (const [k, [system, name, sql]] of typical.entries()) {
  const [fp, h, m] = ns.slice(3 * k, 3 * k + 3)
  console.log(`${pad(`${name} (${system === 'mysql' ? 'my' : 'pg'})`, 34)}${lpad(sql.length, 7)}${lpad(Math.round(fp), 13)}${lpad((fp / sql.length).toFixed(1), 9)}${lpad(Math.round(h), 12)}${lpad(Math.round(m), 13)}`)
}
console.log('(ns per call; record = FingerprintTable.record(): hit = the statement is in the memo, miss = it never is)')

console.log('')
const SIZES = [1024, 2048, 4096, 8192, 16384, 1 << 20]
const adversarial = [
  ["' run", 'postgresql', (n) => "'".repeat(n)],
  ['nested /*', 'postgresql', (n) => '/*'.repeat(n / 2)],
  ['IN list ?,?,…', 'mysql', (n) => 'SELECT 1 FROM t WHERE a IN (' + '?,'.repeat(n / 2)],
  ['VALUES (?,?),…', 'mysql', (n) => 'INSERT INTO t VALUES ' + '(?,?),'.repeat(n / 6)],
  ['distinct columns', 'postgresql', (n) => 'SELECT ' + Array.from({ length: n / 6 }, (_, k) => `c${k}`).join(', ')],
]
console.log(`${pad('adversarial input', 22)}${SIZES.map((size) => lpad(size >= 1 << 20 ? '1 MiB' : size, 10)).join('')}`)
for (const [name, system, build] of adversarial) {
  const times = measureAll(SIZES.map((size) => build(size)).map((sql) => () => fingerprintStatement(sql, system)))
  console.log(`${pad(name, 22)}${times.map((t) => lpad((t / 1e3).toFixed(1), 10)).join('')}`)
}
console.log('(µs per call by input characters; statements are read up to 16 KiB, so 1 MiB costs what 16 KiB does)')
