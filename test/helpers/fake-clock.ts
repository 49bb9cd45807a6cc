import { Clock } from '@tapjs/clock'
import type { Test } from 'tap'

/**
 * @tapjs/clock's make-believe clock, entered now (timers, Date, performance.now and hrtime follow
 * it) and left when the test ends. Imported here rather than loaded as a tap plugin: a plugin in
 * .taprc makes tap install and rebuild itself from the registry at test time, and rewrite .taprc.
 */
export function fakeClock (t: Test): Clock {
  const clock = new Clock()
  t.teardown(clock.enter())
  return clock
}
