/**
 * GraphiQL, served by Portico itself (no CDN: it works where only the server is reachable), as a
 * small page and separate files: script, style, icon and the three editor workers of
 * @graphql-yoga/render-graphiql. Each file's URL holds a hash of its content, so browsers keep it
 * for a year (`immutable`) and ask again only when Portico's GraphiQL changes; each is compressed
 * once (brotli and gzip) and kept under .portico/graphiql/<version>/, so no start compresses or
 * even loads the 9 MB package: the first page view reads the compressed files, nothing more.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip, gunzipSync } from 'node:zlib'
import type { Plugin } from 'graphql-yoga'
import { PACKAGE_ROOT } from '../package-root.js'

interface AssetFile {
  /** `<name>.<hash>.<ext>`: the URL's last segment. */
  file: string
  type: string
  etag: string
  gzip: Buffer
  br: Buffer
}

interface Manifest {
  version: string
  files: { key: AssetKey; file: string; type: string; etag: string }[]
}

type AssetKey = 'js' | 'css' | 'favicon' | 'editorWorker' | 'jsonWorker' | 'graphqlWorker'

export interface GraphiQLAssets {
  /** By key (for the page) and by file name (for requests). */
  byKey: Record<AssetKey, AssetFile>
  byFile: Map<string, AssetFile>
}

/** The URL segment under which the files are served, beside the GraphQL endpoint. */
export const ASSET_DIR = 'graphiql'
const IMMUTABLE = 'public, max-age=31536000, immutable'

const require = createRequire(import.meta.url)
const PACKAGE = '@graphql-yoga/render-graphiql'

function packageVersion(): string {
  return (require(`${PACKAGE}/package.json`) as { version: string }).version
}

let loading: Promise<GraphiQLAssets> | undefined

/** The compressed files, from the cache, else built (and cached) now. Loaded once per process. */
export function graphiqlAssets(): Promise<GraphiQLAssets> {
  loading ??= loadAssets().catch((error: unknown) => {
    loading = undefined // a later page view tries again
    throw error
  })
  return loading
}

async function loadAssets(): Promise<GraphiQLAssets> {
  const version = packageVersion()
  const directory = join(PACKAGE_ROOT, '.portico', 'graphiql', version)
  if (!existsSync(join(directory, 'manifest.json'))) await buildAssets(directory, version)
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as Manifest
  const files = await Promise.all(
    manifest.files.map(async (entry) => ({
      key: entry.key,
      asset: { file: entry.file, type: entry.type, etag: entry.etag, gzip: await readFile(join(directory, `${entry.file}.gz`)), br: await readFile(join(directory, `${entry.file}.br`)) },
    })),
  )
  const byKey = Object.fromEntries(files.map(({ key, asset }) => [key, asset])) as Record<AssetKey, AssetFile>
  return { byKey, byFile: new Map(files.map(({ asset }) => [asset.file, asset])) }
}

/**
 * Splits the package's strings into files, compresses them (brotli quality 9: within a few
 * percent of 11 at a sixth of the time) and writes them beside, then renames: concurrent first
 * starts never see half a cache. `npm run build` calls this, so a built Portico has it ready.
 */
export async function buildAssets(directory = join(PACKAGE_ROOT, '.portico', 'graphiql', packageVersion()), version = packageVersion()): Promise<void> {
  const strings = (await import(`${PACKAGE}/graphiql`)) as Record<'css' | 'editorWorkerService' | 'favicon' | 'graphqlWorker' | 'js' | 'jsonWorker', string>
  const favicon = /^data:([^;,]+);base64,(.*)$/s.exec(strings.favicon)
  const sources: { key: AssetKey; name: string; ext: string; type: string; content: Buffer }[] = [
    { key: 'js', name: 'graphiql', ext: 'js', type: 'text/javascript; charset=utf-8', content: Buffer.from(strings.js) },
    { key: 'css', name: 'graphiql', ext: 'css', type: 'text/css; charset=utf-8', content: Buffer.from(strings.css) },
    { key: 'editorWorker', name: 'editor.worker', ext: 'js', type: 'text/javascript; charset=utf-8', content: Buffer.from(strings.editorWorkerService) },
    { key: 'jsonWorker', name: 'json.worker', ext: 'js', type: 'text/javascript; charset=utf-8', content: Buffer.from(strings.jsonWorker) },
    { key: 'graphqlWorker', name: 'graphql.worker', ext: 'js', type: 'text/javascript; charset=utf-8', content: Buffer.from(strings.graphqlWorker) },
    favicon
      ? { key: 'favicon', name: 'favicon', ext: 'ico', type: favicon[1]!, content: Buffer.from(favicon[2]!, 'base64') }
      : { key: 'favicon', name: 'favicon', ext: 'txt', type: 'text/plain', content: Buffer.from(strings.favicon) },
  ]
  const staging = `${directory}.${process.pid}.${Date.now()}`
  await mkdir(staging, { recursive: true })
  try {
    const files = await Promise.all(
      sources.map(async ({ key, name, ext, type, content }) => {
        const hash = createHash('sha256').update(content).digest('hex').slice(0, 16)
        const file = `${name}.${hash}.${ext}`
        const [gz, br] = await Promise.all([
          promisify(gzip)(content, { level: 9 }),
          promisify(brotliCompress)(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
        ])
        await writeFile(join(staging, `${file}.gz`), gz)
        await writeFile(join(staging, `${file}.br`), br)
        return { key, file, type, etag: `"${hash}"` }
      }),
    )
    await writeFile(join(staging, 'manifest.json'), JSON.stringify({ version, files } satisfies Manifest, null, 2))
    await rename(staging, directory).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(join(directory, 'manifest.json'))) throw error // else another process won the race
      await rm(staging, { recursive: true, force: true })
    })
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
}

/**
 * The page: a few hundred bytes of HTML naming the files relative to the GraphQL endpoint
 * (`/graphql` -> `/graphiql/...`, and the same behind a proxy's path prefix). The workers are
 * plain same-origin scripts, no longer blobs built from strings in the page.
 */
export function renderGraphiQLPage(assets: GraphiQLAssets, options: { title?: string } & Record<string, unknown>): string {
  const url = (key: AssetKey) => `${ASSET_DIR}/${assets.byKey[key].file}`
  // `<` escaped: the options are the server's, but a `</script>` in a title must not end the script.
  const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c')
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escape(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${url('favicon')}" />
    <link rel="stylesheet" href="${url('css')}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${json({ editorWorkerService: url('editorWorker'), json: url('jsonWorker'), graphql: url('graphqlWorker') })};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (moduleId, label) => new URL(workers[label], document.baseURI).href };
    </script>
    <script src="${url('js')}"></script>
    <script>YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${json(options)});</script>
  </body>
</html>
`
}

/** Serves the files under `<endpoint's folder>graphiql/`: 304 on a matching ETag, brotli or gzip as accepted. */
export function useGraphiQLAssets(graphqlEndpoint: string): Plugin {
  const prefix = `${graphqlEndpoint.slice(0, graphqlEndpoint.lastIndexOf('/') + 1)}${ASSET_DIR}/`
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if ((request.method !== 'GET' && request.method !== 'HEAD') || !url.pathname.startsWith(prefix)) return
      const name = url.pathname.slice(prefix.length)
      return graphiqlAssets().then((assets) => {
        const asset = assets.byFile.get(name)
        if (!asset) return endResponse(new fetchAPI.Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } }))
        const headers: Record<string, string> = { 'content-type': asset.type, 'cache-control': IMMUTABLE, etag: asset.etag, vary: 'accept-encoding' }
        if (matches(request.headers.get('if-none-match'), asset.etag)) return endResponse(new fetchAPI.Response(null, { status: 304, headers }))
        const encoding = chooseEncoding(request.headers.get('accept-encoding'))
        const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : gunzipSync(asset.gzip)
        if (encoding) headers['content-encoding'] = encoding
        headers['content-length'] = String(body.length)
        return endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers }))
      })
    },
  }
}

function matches(ifNoneMatch: string | null, etag: string): boolean {
  return ifNoneMatch !== null && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))
}

/** br over gzip when both are accepted (q > 0); undefined: send it as is. */
export function chooseEncoding(acceptEncoding: string | null): 'br' | 'gzip' | undefined {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    accepted.set(name, q === undefined ? 1 : Number(q))
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined
}
