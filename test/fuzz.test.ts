/**
 * The fuzz test: thousands of generated and hostile requests against a gateway on a real database
 * (test/fixtures/portico-test.sql). Operations are generated from the served schema itself
 * (test/support/fuzz/documents.ts), mutations are built so that none can write
 * (test/support/fuzz/mutations.ts), and hostile shapes and envelopes are mixed in
 * (structural.ts, transport.ts). Every answer must be a client's answer: below 500, JSON, no
 * stack, no SQL, no masked internal error (checks.ts). Afterwards the database must be unchanged,
 * the log free of errors, and the gateway still answering.
 *
 * Reproducible: the run prints its seed; a failure names its case. Replay with
 *   FUZZ_SEED=<seed> FUZZ_CASE=<family>:<index> npx vitest run test/fuzz.test.ts
 * and explore with another FUZZ_SEED, or more cases with FUZZ_SCALE=10. FUZZ_WHY=1 prints why
 * strict cases (valid values, sent as clients send them) did not answer data.
 *
 * The bugs the fuzzer found are pinned at the end, one request each.
 */
import type { GraphQLSchema } from 'graphql'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { judge } from './support/fuzz/checks.js'
import { tableChecksums } from './support/fuzz/database.js'
import { queryOperation, type Mode, type Operation } from './support/fuzz/documents.js'
import { ERROR_LEVEL, startFuzzGateway, type FuzzGateway } from './support/fuzz/gateway.js'
import { mutationOperation } from './support/fuzz/mutations.js'
import { checkedCase } from './support/fuzz/oracle.js'
import { caseRandom, type Random } from './support/fuzz/random.js'
import { collectSamples, type Samples } from './support/fuzz/samples.js'
import { structuralOperation } from './support/fuzz/structural.js'
import { envelope, malformedRequest, type FuzzRequest } from './support/fuzz/transport.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611)
const SCALE = Number(process.env.FUZZ_SCALE ?? 1)
const ONLY = process.env.FUZZ_CASE
/** In-flight requests: a few, as clients would send them, on a 2-core machine. */
const CONCURRENCY = 4
/** Floors on how many generated cases got past validation and limits (see the test below). */
const STRICT_FLOOR = 0.75
const OPERATIONS_FLOOR = 0.35
const MUTATIONS_FLOOR = 0.3

let db: TestDatabase
let api: FuzzGateway
let schema: GraphQLSchema
let samples: Samples
let before: Record<string, string>
const totals = { requests: 0, ms: 0 }
/** Answers by kind (`200 data`, `200 errors`, `400`, ...): how much of the fuzzing got past validation. */
const outcomes = new Map<string, number>()
/** The same, per family: the floor below holds the generator to producing operations that run. */
const familyOutcomes = new Map<string, Map<string, number>>()
/** FUZZ_WHY=1: why strict cases did not answer data, by message (to improve the generator). */
const why = new Map<string, number>()
/** Promise rejections nobody handled while the fuzzer ran: in production each ends the process. */
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeAll(async () => {
  db = await createTestDatabase('fuzz', readFixtureSql('portico-test.sql'))
  api = await startFuzzGateway(db.url, { schemas: ['app', 'audit', 'public'] })
  // The schema clients are served: the federation subgraph (with _entities and _service).
  schema = api.gateway.subgraph
  samples = await collectSamples(schema, api.gateway.datamodel, async (query) => (await post(query)).json())
  before = await tableChecksums(db.url)
  process.on('unhandledRejection', onUnhandled)
  console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED} FUZZ_CASE=<family>:<index>)`)
})

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  if (totals.requests) {
    const kinds = [...outcomes].sort(([, a], [, b]) => b - a).map(([kind, n]) => `${kind}: ${n}`)
    console.log(`fuzz: ${totals.requests} requests in ${(totals.ms / 1000).toFixed(1)} s (${kinds.join(', ')})`)
  }
  await api?.close()
  await db?.drop()
})

const post = (query: string, variables?: unknown) =>
  api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  })

interface Case {
  request: FuzzRequest
  sent: Set<string>
  mutation: boolean
  /** Made in strict mode: valid values only, so it should reach the data. */
  strict?: boolean
}

/** Most cases well-typed (many strictly valid, so they reach the data), some with wrong types here and there, a few everywhere. */
const modeOf = (r: Random): Mode =>
  r.weighted<Mode>([
    [4, { wrongRate: 0, variableRate: 0.3, maxDepth: r.range(1, 5), maxFields: 40, strict: true }],
    [3, { wrongRate: 0, variableRate: 0.3, maxDepth: r.range(1, 5), maxFields: 40 }],
    [3, { wrongRate: 0.03, variableRate: 0.4, maxDepth: r.range(1, 4), maxFields: 30 }],
    [1, { wrongRate: 0.25, variableRate: 0.5, maxDepth: 3, maxFields: 20 }],
  ])

const fromOperation = (r: Random, op: Operation, mode?: Mode): Case => ({ request: envelope(r, op, { valid: mode?.strict }), sent: op.sent, mutation: op.kind === 'mutation', strict: mode?.strict })

const strictly = (make: (r: Random, mode: Mode) => Operation) => (r: Random) => {
  const mode = modeOf(r)
  return fromOperation(r, make(r, mode), mode)
}

/** Each family of cases: its size at scale 1 and how case `r` is made. */
const FAMILIES: [name: string, cases: number, make: (r: Random) => Case][] = [
  ['operations', 2200, strictly((r, mode) => queryOperation(r, schema, samples, mode))],
  ['mutations', 900, (r) => fromOperation(r, mutationOperation(r, schema, samples, { ...modeOf(r), wrongRate: r.pick([0, 0, 0.02]) }))],
  ['structural', 400, (r) => fromOperation(r, structuralOperation(r, schema, samples))],
  ['envelopes', 500, (r) => (r.chance(0.6) ? { request: malformedRequest(r), sent: new Set<string>(), mutation: false } : fromOperation(r, queryOperation(r, schema, samples, modeOf(r))))],
]

interface Failure {
  /** What went wrong, without the details: failures with the same signature are one bug, usually. */
  signature: string
  report: string
}

async function runCase(family: string, index: number, make: (r: Random) => Case): Promise<Failure | undefined> {
  const r = caseRandom(SEED + FAMILIES.findIndex(([name]) => name === family) * 1_000_003, index)
  const { request, sent, mutation, strict } = make(r)
  const logged = api.log.length
  const response = await api.gateway.yoga.fetch(`http://portico.test${request.path}`, { method: request.method, headers: request.headers, body: request.body })
  const verdict = await judge(response, sent, mutation)
  const kind = `${verdict.status}${verdict.status === 200 ? (/"errors"/.test(verdict.body) ? (/"data":\{/.test(verdict.body) ? ' partial' : ' errors') : ' data') : ''}`
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1)
  if (strict && process.env.FUZZ_WHY && kind !== '200 data') {
    const m = /"message":"([^"]{0,200})/.exec(verdict.body)?.[1] ?? verdict.body.slice(0, 120)
    why.set(`${kind}: ${m.replace(/\d+/g, 'N').replace(/"[^"]*"/g, 'S')}`, (why.get(`${kind}: ${m}`) ?? 0) + 1)
  }
  for (const key of strict ? [family, `${family} (strict)`] : [family]) {
    const mine = familyOutcomes.get(key) ?? new Map<string, number>()
    familyOutcomes.set(key, mine.set(kind, (mine.get(kind) ?? 0) + 1))
  }
  if (!verdict.problems.length) return undefined
  const body = typeof request.body === 'string' ? request.body : request.body ? Buffer.from(request.body).toString('latin1') : ''
  const report = [
    `case ${family}:${index} (FUZZ_SEED=${SEED} FUZZ_CASE=${family}:${index}), ${request.how}: ${verdict.problems.join('; ')}`,
    `  request: ${request.method} ${request.path.slice(0, 1500)} ${JSON.stringify(request.headers)}`,
    // Whole when replaying one case.
    `  body: ${ONLY ? body : `${body.slice(0, 1500)}${body.length > 1500 ? `… (${body.length} chars)` : ''}`}`,
    `  answer ${verdict.status}: ${verdict.body.slice(0, 800)}`,
    // Lines logged meanwhile (other cases run at the same time: replay one to be sure).
    ...api.log.slice(logged).filter((l) => l.level >= ERROR_LEVEL).map((l) => `  log: ${l.msg}: ${l.err?.message?.slice(0, 300) ?? ''} ${l.err?.stack?.split('\n')[1]?.trim() ?? ''}`),
  ].join('\n')
  return { signature: `${request.how}: ${verdict.problems.map((p) => p.split(':')[0]).join(', ')}`, report }
}

/** Runs cases [0, count) a few at a time; the failures. */
async function runFamily(family: string, count: number, make: (r: Random) => Case): Promise<Failure[]> {
  const failures: Failure[] = []
  const indexes = ONLY ? (ONLY.startsWith(`${family}:`) ? [Number(ONLY.split(':')[1])] : []) : Array.from({ length: count }, (_, i) => i)
  const started = performance.now()
  let next = 0
  const worker = async () => {
    while (next < indexes.length) {
      const index = indexes[next++]!
      const failure = await runCase(family, index, make)
      if (failure) failures.push(failure)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  totals.requests += indexes.length
  totals.ms += performance.now() - started
  return failures
}

/** How many failed of each signature, and the first case of each in full. */
function describeFailures(failures: Failure[]): string {
  const bySignature = new Map<string, Failure[]>()
  for (const failure of failures) bySignature.set(failure.signature, [...(bySignature.get(failure.signature) ?? []), failure])
  return [...bySignature.entries()].map(([signature, all]) => `${all.length} x ${signature}\n${all[0]!.report}`).join('\n\n')
}

describe('fuzzed requests', () => {
  it.each(FAMILIES)('%s: every answer is a client answer', async (family, count, make) => {
    const failures = await runFamily(family, Math.round(count * SCALE), make)
    expect(failures.length, `${failures.length} failing cases:\n\n${describeFailures(failures)}`).toBe(0)
  }, 120_000)

  // A fuzzer whose operations were nearly all refused (by validation, limits or wrong values)
  // would pass every check above without exercising the planner: strict cases (valid values
  // only) must nearly all answer data, and a good share of all operations and mutations must get
  // past validation. Figures at the default seed are printed.
  it.skipIf(!!ONLY)('most generated operations executed: a floor on answers with data', () => {
    const share = (family: string, kinds: string[]) => {
      const counts = familyOutcomes.get(family) ?? new Map<string, number>()
      const total = [...counts.values()].reduce((a, b) => a + b, 0)
      return kinds.reduce((sum, kind) => sum + (counts.get(kind) ?? 0), 0) / Math.max(total, 1)
    }
    const strict = share('operations (strict)', ['200 data'])
    const operations = share('operations', ['200 data', '200 partial'])
    const mutations = share('mutations', ['200 data', '200 partial', '200 errors'])
    if (process.env.FUZZ_WHY) console.log([...why].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `${n} ${k}`).join('\n'))
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`
    console.log(`fuzz: strict operations answered with data ${pct(strict)}, all operations ${pct(operations)}, mutations executed ${pct(mutations)}`)
    expect(strict).toBeGreaterThan(STRICT_FLOOR)
    expect(operations).toBeGreaterThan(OPERATIONS_FLOOR)
    expect(mutations).toBeGreaterThan(MUTATIONS_FLOOR)
  })

  it.skipIf(!!ONLY)('a sample of answers equals what SQL reads', async () => {
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    try {
      let checked = 0
      for (let index = 0; index < Math.round(150 * SCALE); index++) {
        const r = caseRandom(SEED + 7_000_003, index)
        const c = await checkedCase(r, api.gateway.datamodel, client)
        if (!c) continue
        const response = await post(c.document)
        expect(await response.json(), `checked case ${index}: ${c.document}`).toEqual(await c.expected(client))
        checked += 1
      }
      expect(checked).toBeGreaterThan(100 * SCALE)
    } finally {
      await client.end()
    }
  })

  it('left every table as it was', async () => {
    expect(await tableChecksums(db.url)).toEqual(before)
  })

  it('logged no error', () => {
    // Each distinct message once, with how often it came: an unexpected error is logged whole.
    const counts = new Map<string, number>()
    for (const line of api.log.filter((l) => l.level >= ERROR_LEVEL)) {
      const message = `${line.msg}: ${line.err?.message ?? ''}`.slice(0, 300)
      counts.set(message, (counts.get(message) ?? 0) + 1)
    }
    expect([...counts].map(([message, n]) => `${n} x ${message}`)).toEqual([])
  })

  it('left no promise rejection unhandled', () => {
    expect(unhandled.map((reason) => String((reason as Error)?.stack ?? reason).slice(0, 500))).toEqual([])
  })

  it('still answers', async () => {
    const response = await post('{ tags(first: 2) { nodes { id label } } }')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ data: { tags: { nodes: [{ id: 1, label: 'postgres' }, { id: 2, label: 'graphql' }] } } })
  })
})

/**
 * Each bug the fuzzer found, pinned as the smallest request that showed it. Before its fix each
 * answered an internal error (or a 500, or crashed the process); now each is the client's answer.
 */
describe('bugs the fuzzer found', () => {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
  const ask = async (query: string, variables?: unknown) => {
    const response = await post(query, variables)
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } }
  }
  const errorsOf = (body: { errors?: { message: string; extensions?: { code?: string } }[] }) => (body.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message}`)

  // PostgreSQL refused a value (SQLSTATE class 22): the planner passed its error on unmasked.
  it.each([
    ['a smallint key out of range', '{ tag(id: 40000) { label } }', 'value "40000" is out of range for type smallint'],
    ['a bigint key out of range', '{ auditItem(id: "99999999999999999999") { id } }', 'value "99999999999999999999" is out of range for type bigint'],
    ['a date that does not exist', '{ people(where: { bornOn: { equals: "2024-02-30" } }) { totalCount } }', 'date/time field value out of range: "2024-02-30"'],
    ['a NUL byte in a text filter', '{ people(where: { fullName: { equals: "a\\u0000b" } }) { totalCount } }', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['a nodeId whose key is not a number', `{ node(nodeId: "${b64('Person:abc')}") { nodeId } }`, 'invalid input syntax for type integer: "abc"'],
    ['a cursor whose key is not a number', `{ people(first: 1, after: "${b64('K:["abc"]')}") { nodes { id } } }`, 'invalid input syntax for type integer: "abc"'],
    ['an unknown time zone', '{ messagesGroupBy(bucket: { column: sentAt, unit: DAY, timeZone: "Mars/Phobos" }) { bucket } }', 'time zone "Mars/Phobos" not recognized'],
    ['a bucket interval in months', '{ messagesGroupBy(bucket: { column: sentAt, every: "1 month" }) { bucket } }', 'timestamps cannot be binned into intervals containing months or years'],
  ])('%s is INVALID_VALUE', async (_what, query, message) => {
    const { status, body } = await ask(query)
    expect(status).toBe(200)
    expect(errorsOf(body)).toEqual([`INVALID_VALUE: Invalid value: ${message}`])
  })

  it('a malformed page argument is a client error, and not logged as an unexpected one', async () => {
    const logged = api.log.length
    // Lists are non-null: one error each takes the whole `data`, so one request each.
    expect(errorsOf((await ask('{ people(first: -1) { totalCount } }')).body)).toEqual(['BAD_USER_INPUT: Argument "first" must be a non-negative integer'])
    expect(errorsOf((await ask('{ tags(after: "x", before: "y") { totalCount } }')).body)).toEqual(['BAD_USER_INPUT: Arguments "before" and "after" are not supported at the same time'])
    // Was an OFFSET of NaN in the SQL.
    const cursor = b64('OffsetConnection:abc')
    expect(errorsOf((await ask(`{ keylessLogs(after: "${cursor}") { totalCount } }`)).body)).toEqual([`BAD_USER_INPUT: Invalid cursor: ${cursor}`])
    expect(api.log.slice(logged).filter((l) => l.level >= ERROR_LEVEL)).toEqual([])
  })

  it('a time bucket over a date column answers (it sent a parameter its statement did not use)', async () => {
    // A date's bucket is a wall-clock time: localBucket, with no zone.
    const { body } = await ask('{ readingsGroupBy(bucket: { column: takenOn, unit: MONTH }) { localBucket aggregates { count } } }')
    expect(body).toEqual({ data: { readingsGroupBy: [{ localBucket: '2024-01-01T00:00:00', aggregates: { count: 12 } }, { localBucket: '2024-02-01T00:00:00', aggregates: { count: 12 } }] } })
  })

  it('ordering groups by a bucket without one is a client error (it was a TypeError)', async () => {
    const { body } = await ask('{ messagesGroupBy(by: [senderId], orderBy: [{ bucket: ASC }]) { key { senderId } } }')
    expect(errorsOf(body)).toEqual(['BAD_USER_INPUT: orderBy bucket: give a `bucket` to group by first.'])
  })

  it('a connection asked for nothing that aggregates its rows is still one object (it was one per row)', async () => {
    const { body } = await ask('{ orders { aggregates { __typename min { __typename } } pageInfo { __typename } } tag(id: 5) { postTags { pageInfo { __typename } } } }')
    expect(body).toEqual({
      data: {
        orders: { aggregates: { __typename: 'OrderAggregates', min: { __typename: 'OrderMinAggregates' } }, pageInfo: { __typename: 'PageInfo' } },
        tag: { postTags: { pageInfo: { __typename: 'PageInfo' } } },
      },
    })
  })

  it('_entities with a representation that names no entity answers each item (it was an unhandled rejection: a crash)', async () => {
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    try {
      const { body } = await ask('{ _entities(representations: [{ __typename: "Person", id: "abc" }, { __typename: "Nope" }, 1, { __typename: "Tag", id: 1 }]) { ... on Tag { label } } }')
      expect(body.data).toEqual({ _entities: [null, null, null, { label: 'postgres' }] })
      expect(errorsOf(body).sort()).toEqual([
        'BAD_USER_INPUT: A representation must be an object with a __typename',
        'BAD_USER_INPUT: A representation\'s __typename must name an entity of this subgraph, not "Nope"',
        'INVALID_VALUE: Invalid value: invalid input syntax for type integer: "abc"',
      ])
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(rejections).toEqual([])
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })

  it('a lone surrogate in a mutation input is refused (Prisma failed to read its own arguments)', async () => {
    const { body } = await ask('mutation ($d: [PostCreateManyInput!]!) { createManyPost(data: $d) { count } }', { d: [{ id: '1', title: 'x', author: 1, tags: ['\ud800'] }] })
    expect(errorsOf(body)).toEqual(['BAD_USER_INPUT: A string holds a lone UTF-16 surrogate (such as \\ud800), which is not text: send well-formed Unicode.'])
  })

  it('a nested write given as null asks for nothing (it was a TypeError)', async () => {
    const { body } = await ask('mutation { updatePost(where: { id: "-777" }, data: { personByAuthor: null }) { id } }')
    expect(errorsOf(body)).toEqual(['NOT_FOUND: no Post row has this key'])
  })

  it('a write filter takes what a read filter takes: isNull on required fields and lists, several list operations', async () => {
    // Prisma refused `not: null` on a required field, `is: null` on a required relation, `not` on a list, and two list operations at once.
    const where = '{ AND: [{ id: { equals: "-777" } }, { title: { isNull: false } }, { personByAuthor: { isNull: true } }, { tags: { isNull: false, has: "t1", isEmpty: false } }] }'
    const { body } = await ask(`mutation { deleteManyPost(where: ${where}) { count } }`)
    expect(body).toEqual({ data: { deleteManyPost: { count: 0 } } })
    const read = await ask(`{ posts(where: ${where}) { totalCount } }`)
    expect(read.body).toEqual({ data: { posts: { totalCount: 0 } } })
  })

  // Refused before GraphQL sees the request (src/serve/use-request-guards.ts): each was a 500.
  it.each<[string, { query: string; variables?: string }, string]>([
    ['a document nested 6,000 levels deep (graphql-js parses recursively)', { query: `{ people { nodes ${'{ a '.repeat(6000)}${'} '.repeat(6000)} } }` }, 'NESTING_LIMIT_EXCEEDED'],
    ['a filter nested 4,500 levels deep in the document', { query: `{ people(where: ${'{NOT: '.repeat(4500)}{}${'}'.repeat(4500)}) { totalCount } }` }, 'NESTING_LIMIT_EXCEEDED'],
    ['variables nested 5,000 levels deep (coerced recursively)', { query: 'query ($w: PersonFilter) { people(where: $w) { totalCount } }', variables: `{"w":${'{"NOT":'.repeat(5000)}{}${'}'.repeat(5000)}}` }, 'NESTING_LIMIT_EXCEEDED'],
    ['a chain of 2,000 fragments (the depth limit follows spreads recursively)', { query: `{ ...F0 } ${Array.from({ length: 2000 }, (_, i) => `fragment F${i} on Query { __typename ...F${i + 1} }`).join(' ')} fragment F2000 on Query { __typename }` }, 'FRAGMENT_LIMIT_EXCEEDED'],
  ])('%s is a 400', async (_what, request, code) => {
    // Variables as JSON text: JSON.stringify itself overflows on them.
    const body = `{"query":${JSON.stringify(request.query)}${request.variables ? `,"variables":${request.variables}` : ''}}`
    const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual([code])
  })

  it('GET with variables that are not JSON is a 400 (Yoga parses them unguarded)', async () => {
    const response = await api.gateway.yoga.fetch(`http://portico.test/graphql?query=${encodeURIComponent('{ __typename }')}&variables=%7Bbad`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual(['BAD_REQUEST'])
  })
})
