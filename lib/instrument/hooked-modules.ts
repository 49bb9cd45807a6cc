/**
 * The packages vigie patches as they load, by name: the `include` list of the ESM loader hook
 * `--import vigie/register` installs (no other module goes through it), and the names its
 * require and import hooks watch. Each patch names its package through {@link HookedModule}.
 */
export const HOOKED_MODULES = ['express', 'pino'] as const

export type HookedModule = (typeof HOOKED_MODULES)[number]
