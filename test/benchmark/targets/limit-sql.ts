/**
 * The limit server's SQL: for each operation ONE statement that builds the whole response,
 * `{"data": ...}` in Portico's shape, with json_build_object/json_agg, so Node only passes the
 * text on. Each is run as a prepared statement (pg's named queries).
 *
 * It does the least that is still right: timestamps are PostgreSQL's own JSON form (ISO 8601; the
 * server's sessions run in UTC, so `+00:00` where Portico writes `Z`: the same instants), and an
 * aggregate reads rows in the order its subquery produced them (ORDER BY ... LIMIT, no join after
 * it), with no ORDER BY of its own. The data check confirms the order on every run.
 */
import type { OperationName, OperationParams } from '../operations.ts'

/** The operations it answers: all but `entities`, for which it is sent byIds (it has no `_entities`). */
export type LimitOperation = Exclude<OperationName, 'entities'>

export const LIMIT_SQL: Record<LimitOperation, string> = {
  // A whole row to JSON (json_agg of the subquery's rows, columns named as the fields) rather than
  // json_build_object per row: measured here, 0.24 ms less of PostgreSQL's time per request on
  // list, a third of the machine's whole time per request at the limit.
  list: `
SELECT '{"data":{"posts":{"nodes":' || coalesce(json_agg(p)::text, '[]') || '}}}'
FROM (SELECT id, title, created_at AS "createdAt" FROM public.posts ORDER BY id LIMIT $1) AS p`,

  // Correlated subqueries three levels deep, each limited and ordered by key as the GraphQL servers
  // page them. A comment's author is a lookup by key per comment: joined inside the comments
  // subquery instead, the planner hashes all users per post on the smaller datasets (twice as
  // slow); a post's tags are joined inside their ordered subquery (measured: the fastest of three).
  nested: `
SELECT json_build_object('data', json_build_object('users', json_build_object('nodes', coalesce(json_agg(
  json_build_object('id', u.id, 'name', u.name, 'posts', json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object(
      'id', p.id, 'title', p.title,
      'comments', json_build_object('nodes', coalesce((
        SELECT json_agg(json_build_object('id', c.id, 'body', c.body,
                                          'author', json_build_object('name', (SELECT a.name FROM public.users AS a WHERE a.id = c.author_id))))
        FROM (SELECT id, body, author_id FROM public.comments WHERE post_id = p.id ORDER BY id LIMIT $3) AS c), '[]')),
      'tags', json_build_object('nodes', coalesce((
        SELECT json_agg(json_build_object('name', t.name))
        FROM (SELECT t.name FROM public.post_tags AS pt JOIN public.tags AS t ON t.id = pt.tag_id
              WHERE pt.post_id = p.id ORDER BY pt.tag_id LIMIT 20) AS t), '[]'))))
    FROM (SELECT id, title FROM public.posts WHERE author_id = u.id ORDER BY id LIMIT $2) AS p), '[]')))
  ), '[]'))))::text
FROM (SELECT id, name FROM public.users ORDER BY id LIMIT $1) AS u`,

  iot: `
SELECT '{"data":{"iotawatts":{"nodes":' || coalesce(json_agg(r)::text, '[]') || '}}}'
FROM (SELECT "timestamp", sensor, power, pf, "current", v FROM api.iotawatt
      WHERE device = $1 ORDER BY "timestamp" DESC, sensor LIMIT $2) AS r`,

  // One statement for the 100 ids: the rows WHERE id = ANY($1), answered in the order asked
  // (aliases p0..p99), an id with no row answered null as Portico does.
  byIds: `
SELECT json_build_object('data', coalesce(json_object_agg('p' || (i.n - 1),
  CASE WHEN p.id IS NULL THEN NULL
       ELSE json_build_object('id', p.id, 'title', p.title, 'status', p.status, 'createdAt', p.created_at) END
  ORDER BY i.n), '{}'))::text
FROM unnest($1::int[]) WITH ORDINALITY AS i(id, n)
LEFT JOIN (SELECT id, title, status, created_at FROM public.posts WHERE id = ANY ($1::int[])) AS p ON p.id = i.id`,

  // One GROUP BY over the day's readings (an index range scan on timestamp): per device, sensor
  // and UTC hour, as Portico computes them: count(*), the average in numeric rounded once to
  // float8 (exact, whatever order rows arrive in), max as is; the hour written as Portico writes
  // it (ISO 8601, Z); ordered by hour, device, sensor; at most 10,000 groups (10 x maxPageSize).
  buckets: `
SELECT json_build_object('data', json_build_object('iotawattsGroupBy', coalesce(json_agg(json_build_object(
  'key', json_build_object('device', g.device, 'sensor', g.sensor),
  'bucket', to_char(g.bucket, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'aggregates', json_build_object('count', g.n, 'avg', json_build_object('power', g.avg_power), 'max', json_build_object('power', g.max_power)))), '[]')))::text
FROM (SELECT device, sensor, date_trunc('hour', "timestamp" AT TIME ZONE 'UTC') AS bucket,
             count(*) AS n, avg(power::numeric)::float8 AS avg_power, max(power) AS max_power
      FROM api.iotawatt
      WHERE "timestamp" >= $1::timestamptz AND "timestamp" < $2::timestamptz
      GROUP BY 1, 2, 3
      ORDER BY bucket, device, sensor
      LIMIT 10000) AS g`,
}

/** The statement's parameters for an operation's variables (the request body's `variables`). */
export function limitValues(operation: LimitOperation, variables: OperationParams[LimitOperation]): unknown[] {
  switch (operation) {
    case 'list': {
      const v = variables as OperationParams['list']
      return [v.first]
    }
    case 'nested': {
      const v = variables as OperationParams['nested']
      return [v.users, v.posts, v.comments]
    }
    case 'iot': {
      const v = variables as OperationParams['iot']
      return [v.device, v.first]
    }
    case 'byIds': {
      const v = variables as OperationParams['byIds']
      return [v.ids]
    }
    case 'buckets': {
      const v = variables as OperationParams['buckets']
      return [v.from, v.to]
    }
  }
}
