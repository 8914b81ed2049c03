/**
 * Portico as a benchmark target, started as a user would in production:
 * `NODE_ENV=production node bin/portico.mjs serve ... --log-level warn`, with a config file that
 * declares api.iotawatt's key (as the reference database's config does) and allows 1,000-row
 * pages (`iot` asks for 1,000 readings; the default maximum is 100).
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { arr, instant, num, numOrNull, str, type CanonicalAnswers, type OperationName, type OperationParams } from '../operations.ts'
import { graphqlData, type HttpRequest, type TargetDefinition } from './target.ts'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export const PORTICO_BENCH_CONFIG = {
  primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] },
  maxPageSize: 1000,
}

export function porticoDocument<O extends OperationName>(operation: O, params: OperationParams[O]): { query: string; variables?: Record<string, unknown> } {
  switch (operation) {
    case 'list':
      return { query: 'query List($first: Int!) { posts(first: $first) { nodes { id title createdAt } } }', variables: params }
    case 'nested':
      return {
        query: `query Nested($users: Int!, $posts: Int!, $comments: Int!) {
  users(first: $users) { nodes { id name
    posts(first: $posts) { nodes { id title
      comments(first: $comments) { nodes { id body author { name } } }
      tags { nodes { name } } } } } }
}`,
        variables: params,
      }
    case 'iot':
      return {
        query: `query Iot($device: String!, $first: Int!) {
  iotawatts(first: $first, where: { device: { equals: $device } }, orderBy: [{ timestamp: DESC }, { sensor: ASC }]) {
    nodes { timestamp sensor power pf current v } }
}`,
        variables: params,
      }
    case 'byIds': {
      // 100 aliased lookups in one document: what a client batching by key sends.
      const { ids } = params as OperationParams['byIds']
      const fields = ids.map((id, i) => `  p${i}: post(id: ${id}) { id title status createdAt }`).join('\n')
      return { query: `query ByIds {\n${fields}\n}` }
    }
    case 'entities': {
      // The same ids as Apollo Federation representations, as a gateway sends them (a key is
      // sent as a string, whatever its scalar), answered in representation order.
      const { ids } = params as OperationParams['entities']
      return {
        query: 'query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on Post { id title status createdAt } } }',
        variables: { r: ids.map((id) => ({ __typename: 'Post', id: String(id) })) },
      }
    }
    case 'buckets': {
      // Literal bounds, as a dashboard sends them: where on the timestamp, then groups.
      const { from, to } = params as OperationParams['buckets']
      return {
        query: `query Buckets {
  iotawattsGroupBy(by: [device, sensor], bucket: { column: timestamp, unit: HOUR, timeZone: "UTC" },
    where: { timestamp: { gte: ${JSON.stringify(from)}, lt: ${JSON.stringify(to)} } }) {
    key { device sensor } bucket aggregates { count avg { power } max { power } } }
}`,
      }
    }
    default:
      throw new Error(`unknown operation ${operation}`)
  }
}

/**
 * Portico's answers in canonical form. The limit server answers in Portico's shape, so it uses
 * this too (never for `entities`: it is sent byIds instead).
 */
export function porticoShapeCanonical<O extends OperationName>(label: string, operation: O, body: unknown): CanonicalAnswers[O] {
  const data = graphqlData(label, body)
  const result: CanonicalAnswers[OperationName] = (() => {
    switch (operation) {
      case 'list':
        return arr(data.posts?.nodes, 'posts.nodes').map((p) => ({ id: num(p.id, 'id'), title: str(p.title, 'title'), createdAt: instant(p.createdAt) }))
      case 'nested':
        return arr(data.users?.nodes, 'users.nodes').map((u) => ({
          id: num(u.id, 'user.id'),
          name: str(u.name, 'user.name'),
          posts: arr(u.posts?.nodes, 'user.posts.nodes').map((p) => ({
            id: num(p.id, 'post.id'),
            title: str(p.title, 'post.title'),
            comments: arr(p.comments?.nodes, 'post.comments.nodes').map((c) => ({
              id: num(c.id, 'comment.id'),
              body: str(c.body, 'comment.body'),
              authorName: str(c.author?.name, 'comment.author.name'),
            })),
            tags: arr(p.tags?.nodes, 'post.tags.nodes').map((t) => str(t.name, 'tag.name')),
          })),
        }))
      case 'iot':
        return arr(data.iotawatts?.nodes, 'iotawatts.nodes').map((r) => ({
          timestamp: instant(r.timestamp),
          sensor: str(r.sensor, 'sensor'),
          power: numOrNull(r.power, 'power'),
          pf: numOrNull(r.pf, 'pf'),
          current: numOrNull(r.current, 'current'),
          v: numOrNull(r.v, 'v'),
        }))
      case 'byIds':
        return Object.keys(data)
          .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
          .map((alias) => {
            const p = data[alias]
            if (p === null) return null
            return { id: num(p.id, 'id'), title: str(p.title, 'title'), status: str(p.status, 'status').toLowerCase(), createdAt: instant(p.createdAt) }
          })
      case 'entities':
        return arr(data._entities, '_entities').map((p) => {
          if (p === null) return null
          return { id: num(p.id, 'id'), title: str(p.title, 'title'), status: str(p.status, 'status').toLowerCase(), createdAt: instant(p.createdAt) }
        })
      case 'buckets':
        return arr(data.iotawattsGroupBy, 'iotawattsGroupBy').map((g) => ({
          bucket: instant(g.bucket),
          device: str(g.key?.device, 'key.device'),
          sensor: str(g.key?.sensor, 'key.sensor'),
          count: num(g.aggregates?.count, 'aggregates.count'),
          avgPower: numOrNull(g.aggregates?.avg?.power, 'aggregates.avg.power'),
          maxPower: numOrNull(g.aggregates?.max?.power, 'aggregates.max.power'),
        }))
      default:
        throw new Error(`unknown operation ${operation}`)
    }
  })()
  return result as CanonicalAnswers[O]
}

export const portico: TargetDefinition = {
  name: 'portico',
  label: 'Portico',
  role: 'bench_portico',
  launch({ databaseUrl, port, poolSize, workDir }) {
    const config = path.join(workDir, 'portico.bench.config.json')
    writeFileSync(config, JSON.stringify(PORTICO_BENCH_CONFIG, null, 2))
    return {
      file: process.execPath,
      args: [
        path.join(repoRoot, 'bin', 'portico.mjs'),
        'serve',
        '--database-url', databaseUrl,
        '--schemas', 'public,api',
        '--host', '127.0.0.1',
        '--port', String(port),
        '--pool-size', String(poolSize),
        '--log-level', 'warn',
        '--config', config,
      ],
      // Its generated clients are cached under the repository's .portico/ (instant mode).
      cwd: repoRoot,
    }
  },
  readyPath: '/readyz',
  request(operation, params): HttpRequest {
    return { path: '/graphql', body: JSON.stringify(porticoDocument(operation, params)) }
  },
  canonical(operation, body) {
    return porticoShapeCanonical('Portico', operation, body)
  },
}
