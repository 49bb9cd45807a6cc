// Tests that need a program from a Debian package say which one is missing: skipped on a
// developer's machine, failed in CI (where CI is set), never skipped there.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { CARBON_CACHE, WHISPER_FETCH } from './helpers/carbon.ts'
import { MARIADB_INSTALL_DB, MARIADB_SERVER } from './helpers/mariadb.ts'
import { ALERTMANAGER, AMTOOL, PROMETHEUS, PROMTOOL } from './helpers/prometheus.ts'
import { assertInstalled, CHROMIUM, inCi, missingMessage, needs, type SystemProgram } from './helpers/system-packages.ts'

const ABSENT: SystemProgram = { path: '/nonexistent/vigie-test-program', debianPackage: 'vigie-test-package' }

t.test('a missing program: skipped on a developer\'s machine with the package to install, run in CI', async (t) => {
  t.same(needs(ABSENT, {}), { skip: '/nonexistent/vigie-test-program is missing: install the Debian package vigie-test-package (apt-get install vigie-test-package; .ci/run does it in CI)' })
  t.same(needs(ABSENT, { CI: 'false' }), { skip: missingMessage(ABSENT) }, 'CI=false is a developer\'s machine')
  t.same(needs(ABSENT, { CI: 'true' }), {}, 'in CI the test runs')
  t.throws(() => assertInstalled(ABSENT), { message: missingMessage(ABSENT) }, 'and fails, saying the same')
})

t.test('what counts as CI', async (t) => {
  for (const value of ['true', '1', 'yes', 'TRUE']) t.ok(inCi({ CI: value }), `CI=${value}`)
  for (const value of [undefined, '', '0', 'false', 'False']) t.notOk(inCi({ CI: value }), `CI=${String(value)}`)
})

t.test('Chromium is the Debian package .ci/run installs', async (t) => {
  t.same(CHROMIUM, { path: '/usr/bin/chromium', debianPackage: 'chromium' })
  t.match(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8'), /command -v chromium .*\|\| packages\+=\(chromium\)/, 'installed when missing, with the other packages')
})

t.test('MariaDB is the Debian package .ci/run installs', async (t) => {
  t.same([MARIADB_SERVER.debianPackage, MARIADB_INSTALL_DB.debianPackage], ['mariadb-server', 'mariadb-server'])
  t.match(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8'), /\[ -x \/usr\/sbin\/mariadbd \] \|\| packages\+=\(mariadb-server\)/, 'installed when missing, with the other packages')
})

t.test('Prometheus (promtool and the server) is the Debian package .ci/run installs, with Alertmanager', async (t) => {
  t.same([PROMTOOL, PROMETHEUS], [{ path: '/usr/bin/promtool', debianPackage: 'prometheus' }, { path: '/usr/bin/prometheus', debianPackage: 'prometheus' }])
  const run = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')
  t.match(run, /\[ -x \/usr\/bin\/promtool \] && \[ -x \/usr\/bin\/prometheus \] \|\| packages\+=\(prometheus\)/, 'installed when missing, with the other packages')
  t.match(run, /\[ -x \/usr\/bin\/prometheus-alertmanager \] \|\| packages\+=\(prometheus-alertmanager\)/)
  t.same([AMTOOL.debianPackage, ALERTMANAGER], ['prometheus-alertmanager', { path: '/usr/bin/prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' }], 'amtool comes with Alertmanager')
})

t.test('Graphite carbon (with whisper-fetch) is the Debian package .ci/run installs', async (t) => {
  t.same([CARBON_CACHE, WHISPER_FETCH], [{ path: '/usr/bin/carbon-cache', debianPackage: 'graphite-carbon' }, { path: '/usr/bin/whisper-fetch', debianPackage: 'graphite-carbon' }])
  t.match(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8'), /\[ -x \/usr\/bin\/carbon-cache \] \|\| packages\+=\(graphite-carbon\)/, 'installed when missing, with the other packages')
})
