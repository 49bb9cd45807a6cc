import type { SystemProgram } from './system-packages.js'

/** Prometheus's rule and metrics checker, and Alertmanager's config checker (Debian packages). */
export const PROMTOOL: SystemProgram = { path: '/usr/bin/promtool', debianPackage: 'prometheus' }
export const AMTOOL: SystemProgram = { path: '/usr/bin/amtool', debianPackage: 'prometheus-alertmanager' }
