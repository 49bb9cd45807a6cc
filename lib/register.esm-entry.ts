// `node --import vigie/register app.mjs`: instruments every app (patchAll() with options from the
// environment), and installs the ESM loader hook that lets it see `import express` in modules
// loaded afterwards (an in-code patchAll() comes too late for a static import). With
// VIGIE_DISABLED set it installs nothing and loads no more than the kill switch's reader.
import { register } from 'node:module'
import { isDisabled } from './options/environment.ts'

type RegisterHooks = typeof import('import-in-the-middle/register-hooks.mjs')

if (!isDisabled()) {
  const { registerFromEnv } = await import('./instrument/register-from-env.ts')
  if (registerFromEnv()) await registerLoaderHook()
}

/**
 * import-in-the-middle's loader, for the hooked packages only. It runs in the app's thread where
 * Node's synchronous module hooks can run it (module.registerHooks(): Node 22.22.3, 24.11.1, 26
 * and later), and in a loader thread elsewhere (module.register(), deprecated since Node 26),
 * which every module of the app then goes through (0.3 to 0.5 s of CPU on an app of 400 modules:
 * `node bench/startup.mjs`). vigie's own modules load first, so they do not go through it.
 */
async function registerLoaderHook (): Promise<void> {
  const { HOOKED_MODULES } = await import('./instrument/hooked-modules.ts')
  const include = [...HOOKED_MODULES]
  // Import-free: deciding does not load the loader's module parsers into this thread.
  const supportsSyncHooksModule: string = 'import-in-the-middle/supports-sync-hooks.mjs'
  const { supportsSyncHooks } = await import(supportsSyncHooksModule) as Pick<RegisterHooks, 'supportsSyncHooks'>
  if (supportsSyncHooks()) {
    const hooks: RegisterHooks = await import('import-in-the-middle/register-hooks.mjs')
    hooks.register({ include })
  } else {
    register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } })
  }
}
