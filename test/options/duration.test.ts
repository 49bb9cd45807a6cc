import t from 'tap'
import { describeMs, parseDuration } from '../../lib/options/duration.ts'
import { ERROR_CODES, invalidOption } from '../../lib/errors.ts'

t.test('each unit', async (t) => {
  t.equal(parseDuration('10s', 'x', invalidOption), 10_000)
  t.equal(parseDuration('5m', 'x', invalidOption), 300_000)
  t.equal(parseDuration('1h', 'x', invalidOption), 3_600_000)
  t.equal(parseDuration('30d', 'x', invalidOption), 2_592_000_000)
})

t.test('refused with a coded error naming the option', async (t) => {
  for (const bad of ['', '5', 'm', '5w', '-5m', '1.5h', ' 5m', '5m ', '5M', 5, null, '0s', '1e3s', '99999999999d', '367d']) {
    t.throws(() => parseDuration(bad, 'slos[0].window', invalidOption), { code: ERROR_CODES.INVALID_OPTION, option: 'slos[0].window' }, String(bad))
  }
})

t.test('bounds', async (t) => {
  t.equal(parseDuration('10s', 'w', invalidOption, 10_000, 3_600_000), 10_000)
  t.throws(() => parseDuration('9s', 'w', invalidOption, 10_000, 3_600_000), /from 10s to 1h/)
  t.throws(() => parseDuration('61m', 'w', invalidOption, 10_000, 3_600_000), { option: 'w' })
})

t.test('describeMs picks the largest unit that divides', async (t) => {
  t.equal(describeMs(300_000), '5m')
  t.equal(describeMs(90_000), '90s')
  t.equal(describeMs(86_400_000), '1d')
  t.equal(describeMs(1500), '1500ms')
})
