// The node flags that preload pin-tick-object.mjs into a benchmark server (see that file), or
// none when the run asked for servers without it.
export function tickPinFlags (enabled) {
  return enabled ? ['--import', new URL('./pin-tick-object.mjs', import.meta.url).href] : []
}
