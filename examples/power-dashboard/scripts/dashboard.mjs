#!/usr/bin/env node
// `npm run dashboard`: generate the typed operations (GraphQL Codegen), make sure Portico answers
// at PORTICO_URL (default http://localhost:4000; when nothing answers there and PORTICO_URL is not
// set, start `npm start`, the embedded demo, and stop it on exit), then serve the dashboard with
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
  say(`no Portico at ${porticoUrl}: starting the embedded demo (npm start); the first start takes a minute`)
  // Its own process group, so stopping the dashboard stops npm and Portico under it.
  portico = spawn('npm', ['start'], { cwd: repoRoot, stdio: 'inherit', detached: true, env: { ...process.env, PORT: new URL(porticoUrl).port || '4000' } })
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

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await vite.close()
  if (portico && portico.exitCode === null) {
    const exited = new Promise((resolve) => portico.once('exit', resolve))
    process.kill(-portico.pid, 'SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))])
  }
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
