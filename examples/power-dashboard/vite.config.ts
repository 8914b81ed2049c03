/**
 * The dashboard is a static page; `/graphql` is proxied to Portico (PORTICO_URL, default
 * http://localhost:4000), so the page talks to its own origin and needs no CORS. The proxy streams
 * Server-Sent Events as they come and passes WebSocket upgrades through.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const portico = process.env.PORTICO_URL ?? 'http://localhost:4000'
const proxy = { '/graphql': { target: portico, ws: true, changeOrigin: true } }

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, proxy },
  build: { outDir: 'dist', emptyOutDir: true },
})
