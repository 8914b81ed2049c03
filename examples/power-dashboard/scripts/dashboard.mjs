#!/usr/bin/env node
// `npm run dashboard`: generate the typed operations (GraphQL Codegen), make sure Portico answers
// at PORTICO_URL (default http://localhost:4000; when nothing answers there and PORTICO_URL is not
// set, start `portico serve` on the embedded demo, as `npm start` does, and stop it on exit), then serve the dashboard with
// Vite's dev server on http://localhost:5173, proxying /graphql to Portico.
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'

const here = path.dirname(fileURLToPath(import.meta.url))
const example = path.resolve(here, '..')
const repoRoot = path.resolve(example, '..', '..')
const porticoUrl = process.env.PORTICO_URL ?? 'http://localhost:4000'
const say = (line) => console.log(`dashboard: ${line}`)

const codegen = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'graphql-codegen'), ['--config', path.join(example, 'codegen.ts'), '--silent'], {
  cwd: repoRoot,
  stdio: 'inherit',
})
if (codegen.status !== 0) process.exit(codegen.status ?? 1)
say('typed operations generated from schema.graphql (src/gql/)')

async function ready() {
  try {
    return (await fetch(new URL('/readyz', porticoUrl), { signal: AbortSignal.timeout(1_000) })).ok
  } catch {
    return false
  }
}

let portico
if (await ready()) say(`using the Portico at ${porticoUrl}`)
else if (process.env.PORTICO_URL) {
  console.error(`dashboard: nothing answers at PORTICO_URL=${porticoUrl} (GET /readyz); start Portico there first`)
  process.exit(1)
} else {
  say(`no Portico at ${porticoUrl}: starting it on the embedded demo (as npm start does); the first start takes a minute`)
  // Portico itself (not through npm), in its own process group (not reached by the terminal's
  // Ctrl-C): it gets exactly one SIGTERM, from stop() below, and shuts down gracefully.
  portico = spawn(process.execPath, [path.join(repoRoot, 'bin', 'portico.mjs'), 'serve'], {
    cwd: repoRoot,
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, PORT: new URL(porticoUrl).port || '4000' },
  })
  const exited = new Promise((resolve) => portico.once('exit', resolve))
  for (const deadline = Date.now() + 300_000; !(await ready()); ) {
    if (portico.exitCode !== null || Date.now() > deadline) {
      console.error('dashboard: Portico did not become ready; see its output above')
      process.exit(1)
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 500))])
  }
}

const vite = await createServer({ configFile: path.join(example, 'vite.config.ts') })
await vite.listen()
vite.printUrls()
say('Ctrl-C to stop')

/** Ends Portico, if this script started it. */
function stopPortico() {
  if (!portico || portico.exitCode !== null || portico.signalCode !== null) return Promise.resolve()
  const exited = new Promise((resolve) => portico.once('exit', resolve))
  try {
    portico.kill('SIGTERM')
  } catch {
    return Promise.resolve() // already gone
  }
  return Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))])
}

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  say('stopping')
  await Promise.all([vite.close().catch(() => {}), stopPortico()])
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
process.on('SIGHUP', stop)
// Whatever ends this process, Portico does not outlive it.
process.on('exit', () => {
  if (portico && portico.exitCode === null && portico.signalCode === null) {
    portico.kill('SIGTERM')
  }
})
