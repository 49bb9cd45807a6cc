// Preloaded into the Etsy StatsD daemon: npm `statsd` 0.9.0 (its latest release) logs through
// util.log(), which Node 23 removed, and exits at start-up without it. This puts it back, writing
// what Node 22's did: "25 Nov 08:34:00 - message".
const util = require('node:util')

// eslint-disable-next-line n/no-deprecated-api -- it is the removed API this file puts back
if (typeof util.log !== 'function') {
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const pad = (n) => String(n).padStart(2, '0')
  // eslint-disable-next-line n/no-deprecated-api
  util.log = function log (...args) {
    const d = new Date()
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    process.stdout.write(`${d.getDate()} ${MONTHS[d.getMonth()]} ${time} - ${util.format(...args)}\n`)
  }
}
