// Loaded into every test process (.taprc's node-arg): turns on Node's compile cache (Node 22.1
// and later; a no-op on 20), so that tap, Fastify, pino and vigie are compiled once per machine
// rather than once in each of the suite's ~180 test processes and the apps they start. The cache
// sits in the system's temporary folder (Node's default), outside the work tree, and children
// inherit it through NODE_COMPILE_CACHE.
import module from 'node:module'

const { directory } = module.enableCompileCache?.() ?? {}
if (directory !== undefined) process.env.NODE_COMPILE_CACHE = directory
