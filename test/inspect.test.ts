/**
 * `portico inspect` engine against a real PostgreSQL (whichever server the test harness chose:
 * TEST_DATABASE_URL, the local server, or an embedded PGlite): a throwaway database per run with
 * a small schema that exercises every kind of relation, constraint and index we report, plus the
 * reference iotawatt structure (DEMO_SCHEMA_SQL).
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_SCHEMA_SQL } from '../src/db/demo-database.js'
import { inspectDatabase, MissingSchemaError, type Inspection, type Query } from '../src/inspect/catalog.js'
import { formatInspectionJson, formatInspectionText } from '../src/inspect/format.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const SCHEMA = `
CREATE TYPE mood AS ENUM ('happy', 'sad');

-- Primary key order differs from column order on purpose.
CREATE TABLE region (
  code text NOT NULL,
  country character(2) NOT NULL,
  name character varying(50),
  PRIMARY KEY (country, code)
);

CREATE TABLE store (
  id serial PRIMARY KEY,
  legacy integer,
  name text NOT NULL,
  country character(2) NOT NULL,
  region_code text,
  price numeric(5,2) NOT NULL DEFAULT 0 CHECK (price >= 0),
  tags text[],
  mood mood DEFAULT 'happy',
  CONSTRAINT store_name_key UNIQUE (name),
  CONSTRAINT store_region_fkey FOREIGN KEY (country, region_code) REFERENCES region (country, code)
);
-- Leaves a gap: positions are attnums, dropped columns are not reported.
ALTER TABLE store DROP COLUMN legacy;
CREATE UNIQUE INDEX store_lower_name_idx ON store (lower(name));
CREATE INDEX store_mood_idx ON store (mood);

CREATE VIEW cheap_store AS SELECT id, name, price FROM store WHERE price < 10;
CREATE MATERIALIZED VIEW store_count AS SELECT country, count(*) AS stores FROM store GROUP BY country;

CREATE TABLE reading (day date NOT NULL, value real) PARTITION BY RANGE (day);
CREATE TABLE reading_2024 PARTITION OF reading FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

CREATE SCHEMA audit;
CREATE TABLE audit.visit (
  store_id integer NOT NULL REFERENCES public.store (id),
  at timestamp with time zone NOT NULL DEFAULT now(),
  note text
);
CREATE INDEX visit_at_idx ON audit.visit (at);
`

let database: TestDatabase | undefined
let db: pg.Client | undefined
let query: Query

beforeAll(async () => {
  // The reference iotawatt structure (schema api, table iotawatt, its index) is loaded too, so
  // the comparison below checks it on every server kind.
  database = await createTestDatabase('inspect', [SCHEMA, DEMO_SCHEMA_SQL])
  const client = new pg.Client({ connectionString: database.url })
  client.on('error', () => {})
  await client.connect()
  db = client
  query = (sql, params) => client.query(sql, params)
})

afterAll(async () => {
  await db?.end()
  await database?.drop()
})

const col = (table: string, position: number, column: string, dataType: string, nullable: boolean, dflt: string | null = null) => ({
  table,
  column,
  position,
  dataType,
  nullable,
  default: dflt,
})

describe('inspectDatabase', () => {
  it('reports relations, columns, constraints and indexes of the requested schemas', async () => {
    const expected: Inspection = {
      relations: [
        { table: 'audit.visit', kind: 'table' },
        { table: 'public.cheap_store', kind: 'view' },
        { table: 'public.reading', kind: 'partitioned table' },
        { table: 'public.reading_2024', kind: 'partition' },
        { table: 'public.region', kind: 'table' },
        { table: 'public.store', kind: 'table' },
        { table: 'public.store_count', kind: 'materialized view' },
      ],
      columns: [
        col('audit.visit', 1, 'store_id', 'integer', false),
        col('audit.visit', 2, 'at', 'timestamp with time zone', false, 'now()'),
        col('audit.visit', 3, 'note', 'text', true),
        col('public.cheap_store', 1, 'id', 'integer', true),
        col('public.cheap_store', 2, 'name', 'text', true),
        col('public.cheap_store', 3, 'price', 'numeric(5,2)', true),
        col('public.reading', 1, 'day', 'date', false),
        col('public.reading', 2, 'value', 'real', true),
        col('public.reading_2024', 1, 'day', 'date', false),
        col('public.reading_2024', 2, 'value', 'real', true),
        col('public.region', 1, 'code', 'text', false),
        col('public.region', 2, 'country', 'character(2)', false),
        col('public.region', 3, 'name', 'character varying(50)', true),
        col('public.store', 1, 'id', 'integer', false, "nextval('store_id_seq'::regclass)"),
        col('public.store', 3, 'name', 'text', false),
        col('public.store', 4, 'country', 'character(2)', false),
        col('public.store', 5, 'region_code', 'text', true),
        col('public.store', 6, 'price', 'numeric(5,2)', false, '0'),
        col('public.store', 7, 'tags', 'text[]', true),
        col('public.store', 8, 'mood', 'mood', true, "'happy'::mood"),
        col('public.store_count', 1, 'country', 'character(2)', true),
        col('public.store_count', 2, 'stores', 'bigint', true),
      ],
      constraints: [
        {
          table: 'audit.visit',
          name: 'visit_store_id_fkey',
          type: 'FOREIGN KEY',
          columns: ['store_id'],
          foreignTable: 'public.store',
          foreignColumns: ['id'],
          definition: 'FOREIGN KEY (store_id) REFERENCES store(id)',
        },
        {
          table: 'public.region',
          name: 'region_pkey',
          type: 'PRIMARY KEY',
          columns: ['country', 'code'],
          foreignTable: null,
          foreignColumns: null,
          definition: 'PRIMARY KEY (country, code)',
        },
        {
          table: 'public.store',
          name: 'store_name_key',
          type: 'UNIQUE',
          columns: ['name'],
          foreignTable: null,
          foreignColumns: null,
          definition: 'UNIQUE (name)',
        },
        {
          table: 'public.store',
          name: 'store_pkey',
          type: 'PRIMARY KEY',
          columns: ['id'],
          foreignTable: null,
          foreignColumns: null,
          definition: 'PRIMARY KEY (id)',
        },
        {
          table: 'public.store',
          name: 'store_price_check',
          type: 'CHECK',
          columns: ['price'],
          foreignTable: null,
          foreignColumns: null,
          definition: 'CHECK ((price >= (0)::numeric))',
        },
        {
          table: 'public.store',
          name: 'store_region_fkey',
          type: 'FOREIGN KEY',
          columns: ['country', 'region_code'],
          foreignTable: 'public.region',
          foreignColumns: ['country', 'code'],
          definition: 'FOREIGN KEY (country, region_code) REFERENCES region(country, code)',
        },
      ],
      indexes: [
        {
          table: 'audit.visit',
          index: 'visit_at_idx',
          definition: 'CREATE INDEX visit_at_idx ON audit.visit USING btree (at)',
          unique: false,
          primary: false,
        },
        {
          table: 'public.region',
          index: 'region_pkey',
          definition: 'CREATE UNIQUE INDEX region_pkey ON public.region USING btree (country, code)',
          unique: true,
          primary: true,
        },
        {
          table: 'public.store',
          index: 'store_lower_name_idx',
          definition: 'CREATE UNIQUE INDEX store_lower_name_idx ON public.store USING btree (lower(name))',
          unique: true,
          primary: false,
        },
        {
          table: 'public.store',
          index: 'store_mood_idx',
          definition: 'CREATE INDEX store_mood_idx ON public.store USING btree (mood)',
          unique: false,
          primary: false,
        },
        {
          table: 'public.store',
          index: 'store_name_key',
          definition: 'CREATE UNIQUE INDEX store_name_key ON public.store USING btree (name)',
          unique: true,
          primary: false,
        },
        {
          table: 'public.store',
          index: 'store_pkey',
          definition: 'CREATE UNIQUE INDEX store_pkey ON public.store USING btree (id)',
          unique: true,
          primary: true,
        },
      ],
    }
    expect(await inspectDatabase(query, ['public', 'audit'])).toEqual(expected)
  })

  it('names the missing schemas and lists the ones that exist', async () => {
    await expect(inspectDatabase(query, ['public', 'nope'])).rejects.toThrow(
      new MissingSchemaError(['nope'], ['api', 'audit', 'public']),
    )
    await expect(inspectDatabase(query, ['nope', 'public', 'gone'])).rejects.toThrow(
      'schemas "nope", "gone" not found; the database has schemas: api, audit, public. Pass --schemas with some of those.',
    )
    await expect(inspectDatabase(query, ['nope'])).rejects.toThrow(
      'schema "nope" not found; the database has schemas: api, audit, public. Pass --schemas with some of those.',
    )
  })

  it('matches the reference iotawatt structure (DEMO_SCHEMA_SQL)', async () => {
    const expected: Inspection = {
      relations: [{ table: 'api.iotawatt', kind: 'table' }],
      columns: [
        col('api.iotawatt', 1, 'timestamp', 'timestamp with time zone', false),
        col('api.iotawatt', 2, 'device', 'text', false),
        col('api.iotawatt', 3, 'sensor', 'text', false),
        col('api.iotawatt', 4, 'power', 'double precision', true),
        col('api.iotawatt', 5, 'pf', 'double precision', true),
        col('api.iotawatt', 6, 'current', 'double precision', true),
        col('api.iotawatt', 7, 'v', 'double precision', true),
      ],
      constraints: [],
      indexes: [
        {
          table: 'api.iotawatt',
          index: 'iotawatt_timestamp_idx',
          definition: 'CREATE INDEX iotawatt_timestamp_idx ON api.iotawatt USING btree ("timestamp")',
          unique: false,
          primary: false,
        },
      ],
    }
    expect(await inspectDatabase(query, ['api'])).toEqual(expected)
  })
})

describe('formatInspectionText', () => {
  it('prints aligned Columns, Constraints and Indexes tables', async () => {
    const text = formatInspectionText(await inspectDatabase(query, ['audit']))
    expect(text).toBe(
      [
        'Columns',
        'table        kind   position  column    type                      nullable  default',
        '-----------  -----  --------  --------  ------------------------  --------  -------',
        'audit.visit  table         1  store_id  integer                   no',
        'audit.visit  table         2  at        timestamp with time zone  no        now()',
        'audit.visit  table         3  note      text                      yes',
        '',
        'Constraints',
        'table        constraint           type         columns   references        definition',
        '-----------  -------------------  -----------  --------  ----------------  -------------------------------------------',
        'audit.visit  visit_store_id_fkey  FOREIGN KEY  store_id  public.store(id)  FOREIGN KEY (store_id) REFERENCES store(id)',
        '',
        'Indexes',
        'table        index         unique  primary  definition',
        '-----------  ------------  ------  -------  ---------------------------------------------------------',
        'audit.visit  visit_at_idx  no      no       CREATE INDEX visit_at_idx ON audit.visit USING btree (at)',
      ].join('\n'),
    )
  })

  it('marks an empty table with (none)', async () => {
    const text = formatInspectionText(await inspectDatabase(query, ['api']))
    expect(text.split('\n\n')[1]).toBe(
      ['Constraints', 'table  constraint  type  columns  references  definition', '-----  ----------  ----  -------  ----------  ----------', '(none)'].join('\n'),
    )
  })
})

describe('formatInspectionJson', () => {
  it('prints pretty JSON whose key order does not depend on the input', async () => {
    const inspection = await inspectDatabase(query, ['audit'])
    const json = formatInspectionJson(inspection)
    expect(JSON.parse(json)).toEqual(inspection)
    expect(json).toContain('\n  "relations": [\n    {\n      "table": "audit.visit",\n      "kind": "table"\n    }\n  ],')

    // Same content built with every key in reverse order prints the same text.
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]))
          : value
    expect(formatInspectionJson(reversed(inspection) as Inspection)).toBe(json)
  })
})
