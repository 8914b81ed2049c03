/**
 * PostGraphile 5 as a benchmark target (the best peer): the launcher in postgraphile-server.ts,
 * and the same operations in PostGraphile's naming (amber preset: `allPosts`, `rowId`,
 * `userByAuthorId`, `postByRowId`; no many-to-many shortcut, so tags go through `postTagsByPostId`).
 * It has no Apollo Federation `_entities`: for `entities` it is sent its byIds request. It has no
 * group-by: it takes no part in `buckets`.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { arr, instant, num, numOrNull, str, type CanonicalAnswers, type OperationName, type OperationParams } from '../operations.ts'
import { repoRoot } from './portico.ts'
import { graphqlData, type HttpRequest, type TargetDefinition } from './target.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

/** What the amber preset cannot do: it is not sent these operations. */
const UNSUPPORTED: Partial<Record<OperationName, string>> = {
  buckets: 'no group-by in the amber preset',
}

export function postgraphileDocument<O extends OperationName>(operation: O, params: OperationParams[O]): { query: string; variables?: Record<string, unknown> } {
  switch (operation) {
    case 'list':
      return { query: 'query List($first: Int!) { allPosts(first: $first) { nodes { rowId title createdAt } } }', variables: params }
    case 'nested':
      return {
        query: `query Nested($users: Int!, $posts: Int!, $comments: Int!) {
  allUsers(first: $users) { nodes { rowId name
    postsByAuthorId(first: $posts) { nodes { rowId title
      commentsByPostId(first: $comments) { nodes { rowId body userByAuthorId { name } } }
      postTagsByPostId { nodes { tagByTagId { name } } } } } } }
}`,
        variables: params,
      }
    case 'iot':
      return {
        query: `query Iot($device: String!, $first: Int!) {
  allApiIotawatts(first: $first, condition: { device: $device }, orderBy: [TIMESTAMP_DESC, SENSOR_ASC]) {
    nodes { timestamp sensor power pf current v } }
}`,
        variables: params,
      }
    case 'byIds': {
      const { ids } = params as OperationParams['byIds']
      const fields = ids.map((id, i) => `  p${i}: postByRowId(rowId: ${id}) { rowId title status createdAt }`).join('\n')
      return { query: `query ByIds {\n${fields}\n}` }
    }
    case 'entities':
      // No Apollo Federation here: the same ids by its byIds request.
      return postgraphileDocument('byIds', params as OperationParams['byIds'])
    case 'buckets':
      throw new Error(`PostGraphile takes no part in buckets: ${UNSUPPORTED.buckets}`)
    default:
      throw new Error(`unknown operation ${operation}`)
  }
}

function canonical<O extends OperationName>(operation: O, body: unknown): CanonicalAnswers[O] {
  const data = graphqlData('PostGraphile', body)
  const result: CanonicalAnswers[OperationName] = (() => {
    switch (operation) {
      case 'list':
        return arr(data.allPosts?.nodes, 'allPosts.nodes').map((p) => ({ id: num(p.rowId, 'rowId'), title: str(p.title, 'title'), createdAt: instant(p.createdAt) }))
      case 'nested':
        return arr(data.allUsers?.nodes, 'allUsers.nodes').map((u) => ({
          id: num(u.rowId, 'user.rowId'),
          name: str(u.name, 'user.name'),
          posts: arr(u.postsByAuthorId?.nodes, 'postsByAuthorId.nodes').map((p) => ({
            id: num(p.rowId, 'post.rowId'),
            title: str(p.title, 'post.title'),
            comments: arr(p.commentsByPostId?.nodes, 'commentsByPostId.nodes').map((c) => ({
              id: num(c.rowId, 'comment.rowId'),
              body: str(c.body, 'comment.body'),
              authorName: str(c.userByAuthorId?.name, 'comment.userByAuthorId.name'),
            })),
            tags: arr(p.postTagsByPostId?.nodes, 'postTagsByPostId.nodes').map((t) => str(t.tagByTagId?.name, 'tagByTagId.name')),
          })),
        }))
      case 'iot':
        return arr(data.allApiIotawatts?.nodes, 'allApiIotawatts.nodes').map((r) => ({
          timestamp: instant(r.timestamp),
          sensor: str(r.sensor, 'sensor'),
          power: numOrNull(r.power, 'power'),
          pf: numOrNull(r.pf, 'pf'),
          current: numOrNull(r.current, 'current'),
          v: numOrNull(r.v, 'v'),
        }))
      case 'byIds':
      case 'entities': // sent the byIds request
        return Object.keys(data)
          .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
          .map((alias) => {
            const p = data[alias]
            if (p === null) return null
            return { id: num(p.rowId, 'rowId'), title: str(p.title, 'title'), status: str(p.status, 'status').toLowerCase(), createdAt: instant(p.createdAt) }
          })
      default:
        throw new Error(`unknown operation ${operation}`)
    }
  })()
  return result as CanonicalAnswers[O]
}

export const postgraphile: TargetDefinition = {
  name: 'postgraphile',
  label: 'PostGraphile',
  role: 'bench_postgraphile',
  launch({ databaseUrl, port, poolSize }) {
    return {
      file: process.execPath,
      args: [
        '--import', 'tsx',
        path.join(here, 'postgraphile-server.ts'),
        '--database-url', databaseUrl,
        '--schemas', 'public,api',
        '--port', String(port),
        '--pool-size', String(poolSize),
      ],
      // `--import tsx` resolves from the working folder.
      cwd: repoRoot,
    }
  },
  // grafserv has no health route. The launcher listens only once the schema is built, and the
  // GraphQL endpoint then answers a GET with 405 (POST only).
  readyPath: '/graphql',
  readyStatus: 405,
  request(operation, params): HttpRequest {
    return { path: '/graphql', body: JSON.stringify(postgraphileDocument(operation, params)) }
  },
  canonical,
  unsupported: UNSUPPORTED,
}
