import t from 'tap'
import { wallClockMs } from '../../lib/context/wall-clock.ts'

t.test('wallClockMs() reads Date.now() in whole milliseconds: never ahead of it, less than 1 ms behind', async (t) => {
  for (let i = 0; i < 20_000; i++) {
    const before = Date.now()
    const now = wallClockMs()
    const after = Date.now()
    if (!Number.isInteger(now) || now > after || now < before - 1) {
      t.fail(`read ${now} between Date.now() ${before} and ${after}`)
      return
    }
  }
  t.pass('20,000 reads within bounds')
})
