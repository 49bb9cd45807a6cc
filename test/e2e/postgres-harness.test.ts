// The PostgreSQL harness the real-app tests rely on: where it finds the server programs, and what
// it says when they are missing (a failure naming the package, never a skip).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { postgresBinDir } from '../helpers/postgres.ts'

const dir = mkdtempSync(join(tmpdir(), 'vigie-pg-bins-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

function fakeBins (folder: string, names: string[]): string {
  mkdirSync(folder, { recursive: true })
  for (const name of names) {
    writeFileSync(join(folder, name), '#!/bin/sh\n')
    chmodSync(join(folder, name), 0o755)
  }
  return folder
}

t.test('no server programs: the error names the Debian package to install', async (t) => {
  t.throws(() => postgresBinDir(join(dir, 'none'), fakeBins(join(dir, 'client-only'), ['psql', 'createdb'])), {
    message: /initdb, pg_ctl, createdb.*install the Debian package `postgresql` \(apt-get install -y postgresql\)/,
  })
})

t.test('Debian\'s newest version first, then PATH', async (t) => {
  const debian = join(dir, 'lib')
  fakeBins(join(debian, '9', 'bin'), ['initdb', 'pg_ctl', 'createdb'])
  const newest = fakeBins(join(debian, '15', 'bin'), ['initdb', 'pg_ctl', 'createdb'])
  fakeBins(join(debian, '16', 'bin'), ['psql'])
  const onPath = fakeBins(join(dir, 'path'), ['initdb', 'pg_ctl', 'createdb'])
  t.equal(postgresBinDir(debian, onPath), newest, '15 beats 9 numerically; 16 has no server')
  t.equal(postgresBinDir(join(dir, 'none'), `${join(dir, 'empty')}:${onPath}`), onPath)
})
