/**
 * `portico check` and `portico diff`, run as a user runs them (`node bin/portico.mjs`) on a real
 * database: check passes on what `portico introspect` just wrote, and after DDL it exits 1 and
 * prints each change, classed by GraphQL Inspector; diff exits 1 on breaking changes only.
 *
 * Exit codes: check 0 match, 1 drift, 2 nothing to compare with; diff 0 no breaking change,
 * 1 breaking, 2 a file unreadable or not a schema.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, repoRoot, type TestDatabase } from './support/test-database.js'

vi.setConfig({ testTimeout: 180_000 })

const BIN = path.join(repoRoot, 'bin', 'portico.mjs')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function portico(args: string[], cwd: string): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && key !== 'NODE_OPTIONS' && !key.startsWith('PORTICO_')))
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 150_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

const DDL = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.item (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2), sku text);
  COMMENT ON COLUMN shop.item.name IS 'What the item is called.';`

let scratch: string
beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'portico-check-'))
  // bin/portico.mjs builds dist/ first when src/ is newer, saying so on stderr: build before the
  // runs whose stderr is compared exactly.
  await new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', "const { buildIfStale } = await import('./bin/build.mjs'); buildIfStale()"], { cwd: repoRoot, timeout: 300_000 }, (error) => (error ? reject(error) : resolve(undefined))),
  )
}, 300_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('portico check', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase('check', DDL)
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('with nothing committed: exit 2 and what to run', async () => {
    const run = await portico(['check', '--database-url', db.url, '--schemas', 'shop'], scratch)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(`portico: nothing to check against: ${path.join(scratch, 'prisma', 'schema.prisma')} and ${path.join(scratch, 'schema.graphql')} do not exist (write them with portico introspect --dir .)\n`)
  })

  it('passes on what introspect wrote, then fails after DDL with each change classed', async () => {
    const introspect = await portico(['introspect', '--database-url', db.url, '--schemas', 'shop', '--dir', '.'], scratch)
    expect(introspect.code, introspect.stderr).toBe(0)
    const clean = await portico(['check', '--database-url', db.url, '--schemas', 'shop'], scratch)
    expect(clean.code, clean.stderr).toBe(0)
    expect(clean.stdout).toBe('the database matches prisma/schema.prisma and schema.graphql\n')

    const sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    await sql.query(`ALTER TABLE shop.item DROP COLUMN price; ALTER TABLE shop.item ADD COLUMN note text; ALTER TABLE shop.item ALTER COLUMN sku SET NOT NULL;
      COMMENT ON COLUMN shop.item.name IS 'The name on the label.'`)
    await sql.end()
    const drifted = await portico(['check', '--database-url', db.url, '--schemas', 'shop'], scratch)
    expect(drifted.code, drifted.stderr).toBe(1)
    const [prismaPart, graphqlPart] = drifted.stdout.split(/(?=^schema\.graphql)/m)
    const prismaLines = prismaPart!.split('\n')
    expect(prismaLines[0]).toBe("prisma/schema.prisma differs from the database (6 lines; + is the database's):")
    // Spacing collapsed: Prisma re-aligns the block, only the changed lines show (in diff order).
    expect(prismaLines.slice(1, -1).sort()).toEqual([
      '  + model Item: /// The name on the label.',
      '  + model Item: note String?',
      '  + model Item: sku String',
      '  - model Item: /// What the item is called.',
      '  - model Item: price Decimal? @db.Decimal(10, 2)',
      '  - model Item: sku String?',
    ])
    // Every change GraphQL Inspector finds, breaking ones first, in its words.
    expect(graphqlPart).toBe(`schema.graphql differs from the database's API: 41 changes (21 breaking, 1 dangerous, 19 safe):
${[
  "breaking  Type 'DecimalFilter' was removed",
  "breaking  Field 'price' was removed from object type 'Item'",
  ...['ItemAggregateHaving', 'ItemAggregateOrder'].map((t) => `breaking  Input field 'price' was removed from input object type '${t}'`),
  ...['ItemAvgAggregates', 'ItemCountAggregates'].map((t) => `breaking  Field 'price' was removed from object type '${t}'`),
  ...['ItemCountHaving', 'ItemCountOrder', 'ItemCreateInput'].map((t) => `breaking  Input field 'price' was removed from input object type '${t}'`),
  "breaking  Input field 'ItemCreateInput.sku' changed type from 'String' to 'String!'",
  "breaking  Input field 'price' was removed from input object type 'ItemCreateManyInput'",
  "breaking  Input field 'ItemCreateManyInput.sku' changed type from 'String' to 'String!'",
  "breaking  Input field 'price' was removed from input object type 'ItemFilter'",
  "breaking  Enum value 'price' was removed from enum 'ItemGroupField'",
  ...['ItemGroupKey', 'ItemMaxAggregates', 'ItemMinAggregates'].map((t) => `breaking  Field 'price' was removed from object type '${t}'`),
  "breaking  Input field 'price' was removed from input object type 'ItemOrderBy'",
  "breaking  Field 'price' was removed from object type 'ItemSumAggregates'",
  ...['ItemUpdateInput', 'ItemUpdateManyInput'].map((t) => `breaking  Input field 'price' was removed from input object type '${t}'`),
  "dangerous Enum value 'note' was added to enum 'ItemGroupField'",
  "safe      Field 'note' was added to object type 'Item'",
  "safe      Field 'Item.name' description changed from 'What the item is called.' to 'The name on the label.'",
  "safe      Field 'Item.sku' changed type from 'String' to 'String!'",
  "safe      Field 'note' was added to object type 'ItemCountAggregates'",
  "safe      Input field 'note' of type 'AggregateComparison' was added to input object type 'ItemCountHaving'",
  "safe      Input field 'note' of type 'SortOrder' was added to input object type 'ItemCountOrder'",
  "safe      Input field 'note' of type 'String' was added to input object type 'ItemCreateInput'",
  "safe      Input field 'ItemCreateInput.name' description changed from 'What the item is called.' to 'The name on the label.'",
  "safe      Input field 'note' of type 'String' was added to input object type 'ItemCreateManyInput'",
  "safe      Input field 'ItemCreateManyInput.name' description changed from 'What the item is called.' to 'The name on the label.'",
  "safe      Input field 'note' of type 'StringFilter' was added to input object type 'ItemFilter'",
  "safe      Field 'note' was added to object type 'ItemGroupKey'",
  "safe      Field 'note' was added to object type 'ItemMaxAggregates'",
  "safe      Field 'note' was added to object type 'ItemMinAggregates'",
  "safe      Input field 'note' of type 'SortOrder' was added to input object type 'ItemOrderBy'",
  "safe      Input field 'note' of type 'String' was added to input object type 'ItemUpdateInput'",
  "safe      Input field 'ItemUpdateInput.name' description changed from 'What the item is called.' to 'The name on the label.'",
  "safe      Input field 'note' of type 'String' was added to input object type 'ItemUpdateManyInput'",
  "safe      Input field 'ItemUpdateManyInput.name' description changed from 'What the item is called.' to 'The name on the label.'",
]
  .map((line) => `  ${line}\n`)
  .join('')}the database no longer matches the committed schema: review the changes, then run portico introspect to commit them
`)
  })
})

describe('portico diff', () => {
  const write = (name: string, sdl: string) => {
    const file = path.join(scratch, name)
    writeFileSync(file, sdl)
    return name
  }
  const V1 = 'type Query { items: [Item!]! }\ntype Item { id: Int!, name: String, price: Float }\nenum Kind { A B }'
  const V2 = 'type Query { items: [Item!]! }\ntype Item { id: Int!, name: String, note: String }\nenum Kind { A B C }'

  it('exit 1 on a breaking change, each change on its line with its class', async () => {
    const run = await portico(['diff', write('v1.graphql', V1), write('v2.graphql', V2)], scratch)
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      [
        '3 changes from v1.graphql to v2.graphql (1 breaking, 1 dangerous, 1 safe):',
        "  breaking  Field 'price' was removed from object type 'Item'",
        "  dangerous Enum value 'C' was added to enum 'Kind'",
        "  safe      Field 'note' was added to object type 'Item'",
        '',
      ].join('\n'),
    )
  })

  it('exit 0 with only safe or dangerous changes, and with none', async () => {
    const safe = await portico(['diff', write('v1.graphql', V1), write('v1b.graphql', V1.replace('price: Float', 'price: Float, note: String'))], scratch)
    expect(safe.code).toBe(0)
    expect(safe.stdout).toBe("1 change from v1.graphql to v1b.graphql (0 breaking, 0 dangerous, 1 safe):\n  safe      Field 'note' was added to object type 'Item'\n")
    const same = await portico(['diff', 'v1.graphql', 'v1.graphql'], scratch)
    expect(same).toEqual({ code: 0, stdout: 'no changes from v1.graphql to v1.graphql\n', stderr: '' })
  })

  it('exit 2 for a missing file or one that is not a schema', async () => {
    const missing = await portico(['diff', 'v1.graphql', 'nope.graphql'], scratch)
    expect(missing).toEqual({ code: 2, stdout: '', stderr: `portico: cannot read nope.graphql: no such file\n` })
    const bad = await portico(['diff', 'v1.graphql', write('bad.graphql', 'type Query { x: Nope }')], scratch)
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'portico: bad.graphql is not a valid GraphQL schema: Unknown type "Nope".\n' })
    const usage = await portico(['diff', 'v1.graphql'], scratch)
    expect(usage.code).toBe(2)
  })
})
