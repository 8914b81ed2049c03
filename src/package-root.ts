/** Portico's own folder (the checkout, or the installed package): its caches and files live under it. A leaf. */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// src/package-root.ts and dist/package-root.js both sit one level below the package root.
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
