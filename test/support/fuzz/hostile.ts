/**
 * Hostile scalar values: strings that look like SQL or break quoting, bytes PostgreSQL refuses
 * (NUL), numbers beyond every range, dates that match an ISO pattern but are not dates, and
 * cursors and nodeIds that decode to nonsense. Mixed with ordinary values from the fixture, so
 * filters also match rows and exercise the paths that read them.
 */
import type { Random } from './random.js'
import { NULL, bool, list, num, obj, str, type Val } from './values.js'

export const SQL_STRINGS = [
  "'; DROP TABLE app.person; --",
  "' OR '1'='1",
  '" OR ""="',
  "1; SELECT pg_sleep(10)--",
  "' UNION SELECT usename, passwd FROM pg_shadow --",
  '$$; DROP TABLE app.tag; $$',
  '$1',
  '$1::text',
  "E'\\x27'",
  "\\'; DELETE FROM app.post; --",
  '"; TRUNCATE audit.item CASCADE; --',
  "') OR 1=1; COMMIT; DROP SCHEMA app CASCADE; --",
  "%' AND pg_read_file('/etc/passwd') IS NOT NULL --",
  '*/ SELECT 1 /*',
  '-- ',
  ';',
]

export const ODD_STRINGS = [
  '',
  ' ',
  '\\',
  '\\\\',
  "'",
  '"',
  '%',
  '_',
  '%_\\%',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\u202etxet',
  'e\u0301\u0301\u0301',
  '🚀🐘',
  '\n\r\t\u000b\u000c',
  '\u2028\u2029',
  'null',
  'NULL',
  'undefined',
  'NaN',
  'true',
  '{}',
  '[]',
  '{"a":1}',
  '{1,2,3}',
  '(1,2)',
  '__proto__',
  'constructor',
  'infinity',
  '-infinity',
  'epoch',
  'now',
  'allballs',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'C:\\Windows\\',
]

/** Values that occur in the fixture (test/fixtures/portico-test.sql), so some filters match. */
export const FIXTURE_STRINGS = ['Ada Lovelace', 'Person1@Example.com', 'person2@example.com', 'nick1', 'GB', 'postgres', 'graphql', 'SKU-001', 'Widget', 'insert', 'express', 'Post number 1', 'Hello #1', 'north', 'info', 'started', 'hello, world', '123456', 'One', 'sms', 't1']

export function hostileString(r: Random): string {
  return r.weighted<() => string>([
    [4, () => r.pick(SQL_STRINGS)],
    [4, () => r.pick(ODD_STRINGS)],
    [4, () => r.pick(FIXTURE_STRINGS)],
    [1, () => `${r.pick(FIXTURE_STRINGS)}${r.pick(SQL_STRINGS)}`],
    [1, () => r.pick(['x', "'", '\u0000', '🚀', '%']).repeat(r.pick([255, 256, 4096, 70_000]))],
  ])()
}

const INTS = ['0', '1', '2', '3', '5', '12', '-1', '32767', '32768', '-32769', '40000', '2147483647', '-2147483648']
const BAD_INTS = ['2147483648', '-2147483649', '1e10', '1.5', '1e400', '9007199254740993']
const FLOATS = ['0', '-0', '1.5', '-10', '3.5', '1e308', '-1e308', '5e-324', '1e39', '1e-46', '2.718281828459045']
const BAD_FLOATS = ['1e400', '-1e400']
const BIGINTS = ['1', '0', '-0', '00001', '12', '9007199254740993', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '99999999999999999999999999']
const DECIMALS = ['1.5', '0', '-0.0', '.5', '5.', '9.99', '1e3', '1e1000000', '1e-1000000', '-1e131072', '123456789012345678901234567890.123456789', '1234567.89']
const DATES = ['2024-02-29', '2024-01-20', '1950-01-01', '2024-02-30', '2023-02-29', '0000-00-00', '0001-01-01', '9999-12-31', '99999-12-31', '99999999-01-01', '2024-13-01', 'infinity', '-infinity']
const DATE_TIMES = [
  '2024-03-01T12:00:00Z',
  '2024-01-01T09:00:00.123456Z',
  '2024-03-01 08:17:00+00',
  '2024-03-01T12:00:00',
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T25:61:61Z',
  '2024-01-01T00:00:00+99:99',
  '2024-01-01T00:00:00.1234567890123Z',
  '294277-01-01T00:00:00Z',
  '99999999-01-01T00:00:00Z',
  'infinity',
  '-infinity',
]
const LOCAL_DATE_TIMES = [
  '2024-03-01T12:00:00',
  '2024-01-01T09:00:00.123456',
  '2024-03-01 08:17:00',
  '2024-03-01T12:00:00Z',
  '2024-03-01T12:00:00+02:00',
  '2024-02-30T00:00:00',
  '2024-01-01T25:61:61',
  '294277-01-01T00:00:00',
  'infinity',
  '-infinity',
]
const TIMES = ['13:45:30.5', '00:00', '23:59:59.999999', '24:00:00', '24:00:01', '25:61:61', '99:99', '12:00:00.12345678901']
const OFFSET_TIMES = ['13:45:30+02:00', '00:00Z', '23:59:59.999999-11:30', '13:45:30', '24:00:00+00', '12:00:00+99:99', '25:61:61+01', '12:00:00+1559']
const INTERVALS = ['1 day', 'P1Y2M3DT4H5M6S', '15 minutes', '1 hour', '0', '-1 years', 'bogus', '', '999999999999 years', '1e400 seconds', 'P', '@ 1 day ago', '1 day \u0000']
const UUIDS = ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'not-a-uuid', 'a0eebc999c0b4ef8bb6d6bb9bd380a11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}']
const BYTES = ['3q2+7w==', 'AP8=', '', 'AA==', '!!!', 'a', '====', 'QUJD\nREVG', 'x'.repeat(4000)]
export const TIME_ZONES = ['UTC', 'Europe/Paris', 'America/St_Johns', '+05:30', '-14', 'Mars/Phobos', '', "UTC'; DROP TABLE x; --", 'EST5EDT', 'posix/Asia/Tokyo', '\u0000']

export interface Pools {
  nodeIds: string[]
  cursors: string[]
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

/** NodeIds: real ones, and ones that decode to the wrong type, key shape or key type. */
export function nodeId(r: Random, pools: Pools): string {
  return r.weighted<() => string>([
    [4, () => r.pick(pools.nodeIds)],
    [1, () => b64(`Person:${hostileString(r)}`)],
    [1, () => b64(r.pick(['Person:abc', 'Person:', 'Person:1.5', 'Person:99999999999999999999', 'Tag:40000', 'Nope:1', 'KeylessLog:1', 'PersonSummary:1', 'Query:1', '__proto__:1', 'PostTag:[1]', 'PostTag:["1","x"]', 'PostTag:{}', 'PostTag:[null,null]', 'PostTag:[[1],[2]]', 'AuditItem:-9223372036854775809', 'N2faCode:["1","1234567"]', 'Reading:["1","2024-02-30"]', 'AllType:1\u0000']))],
    [1, () => r.pick(['', 'x', '%%%', '====', 'UGVyc29uOjE', '\u0000', '🚀', 'a'.repeat(5000)])],
    [1, () => Buffer.from([0xff, 0xfe, 0x3a, 0x31]).toString('base64')],
  ])()
}

/** Cursors: real ones (keyset and offset), and ones that decode to nonsense. */
export function cursor(r: Random, pools: Pools): string {
  return r.weighted<() => string>([
    [4, () => r.pick(pools.cursors)],
    [2, () => b64(`K:${r.pick(['["abc"]', '[]', '[null]', '[{"a":1}]', '[["1"]]', '["1","2","3"]', '[1e400]', '["99999999999999999999"]', '["2024-02-30"]', '["\\u0000"]', 'not json', `[${JSON.stringify(hostileString(r))}]`])}`)],
    [2, () => b64(`OffsetConnection:${r.pick(['-1', '-5', 'abc', '', '1e308', '99999999999999999999999', '0x10', '3.7', 'Infinity', 'NaN', ' 1'])}`)],
    [1, () => r.pick(['', 'x', '%%%', '====', 'SzpbIjEiXQ', '\u0000', 'a'.repeat(5000)])],
    [1, () => Buffer.from([0x4b, 0x3a, 0x5b, 0xff, 0x5d]).toString('base64')],
  ])()
}

/** Values PostgreSQL accepts for each scalar (a strict case uses only these, so it reaches the data). */
const VALID: Record<string, string[]> = {
  Int: ['0', '1', '2', '3', '5', '12', '-1'],
  Float: ['0', '1.5', '-10', '3.5', '2.718281828459045'],
  BigInt: ['1', '0', '12', '9007199254740993'],
  Decimal: ['1.5', '0', '9.99', '1e3', '-0.0'],
  Date: ['2024-02-29', '2024-01-20', '1950-01-01', 'infinity'],
  DateTime: ['2024-03-01T12:00:00Z', '2024-01-01T09:00:00.123456Z', '2024-03-01 08:17:00+00', '2024-03-01T12:00:00', 'infinity'],
  LocalDateTime: ['2024-03-01T12:00:00', '2024-01-01T09:00:00.123456', '2024-03-01 08:17:00', 'infinity'],
  Time: ['13:45:30.5', '00:00', '23:59:59.999999'],
  OffsetTime: ['13:45:30+02:00', '00:00Z', '23:59:59.999999-11:30', '13:45:30'],
  Interval: ['1 day', '15 minutes', '1 hour'],
  UUID: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000'],
  Bytes: ['3q2+7w==', 'AP8=', '', 'AA=='],
}
export const VALID_TIME_ZONES = ['UTC', 'Europe/Paris', 'America/St_Johns', 'EST5EDT']

/** A hostile string PostgreSQL can still store and compare (no NUL byte). */
export function storableString(r: Random): string {
  return hostileString(r).replaceAll('\u0000', '')
}

/**
 * A value of a named scalar: usually well-typed (with hostile content), sometimes out of range;
 * `strict`, always one PostgreSQL accepts.
 */
export function scalarValue(r: Random, name: string, pools: Pools, strict = false): Val {
  if (strict) {
    if (name === 'String') return str(storableString(r))
    if (name === 'ID') return str(r.pick(pools.nodeIds))
    if (name === 'Boolean') return bool(r.chance(0.5))
    if (name === 'JSON') return { kind: 'json', value: { words: 111, draft: false, meta: { rev: 1 } } }
    const valid = VALID[name]
    if (valid) return name === 'Int' || name === 'Float' ? num(r.pick(valid)) : str(r.pick(valid))
  }
  switch (name) {
    case 'Int':
      return num(r.chance(0.1) ? r.pick(BAD_INTS) : r.pick(INTS))
    case 'Float':
      return num(r.chance(0.05) ? r.pick(BAD_FLOATS) : r.pick([...FLOATS, ...INTS]))
    case 'Boolean':
      return bool(r.chance(0.5))
    case 'String':
      return str(hostileString(r))
    case 'ID':
      return str(r.chance(0.8) ? nodeId(r, pools) : hostileString(r))
    case 'BigInt':
      return str(r.chance(0.15) ? hostileString(r) : r.pick(BIGINTS))
    case 'Decimal':
      return str(r.chance(0.15) ? hostileString(r) : r.pick(DECIMALS))
    case 'Date':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(DATES))
    case 'DateTime':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(DATE_TIMES))
    case 'LocalDateTime':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(LOCAL_DATE_TIMES))
    case 'Time':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(TIMES))
    case 'OffsetTime':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(OFFSET_TIMES))
    case 'Interval':
      return str(r.chance(0.2) ? hostileString(r) : r.pick(INTERVALS))
    case 'UUID':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(UUIDS))
    case 'Bytes':
      return str(r.chance(0.1) ? hostileString(r) : r.pick(BYTES))
    case 'JSON':
      return jsonValue(r)
    case '_Any':
      return { kind: 'json', value: null }
    default:
      return str(hostileString(r))
  }
}

/** A JSON column's value: scalars, nesting, NUL escapes (jsonb refuses them), huge numbers. */
function jsonValue(r: Random): Val {
  return r.weighted<() => Val>([
    [2, () => ({ kind: 'json', value: { words: 111, draft: false, meta: { rev: 1 } } })],
    [1, () => ({ kind: 'json', value: { a: hostileString(r), [hostileString(r)]: [1, null, true] } })],
    [1, () => ({ kind: 'json', value: JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`) })],
    [1, () => ({ kind: 'json', value: '\u0000' })],
    [1, () => num(r.pick(['1e400', '-0', '9007199254740993', '1']))],
    [1, () => str(hostileString(r))],
    [1, () => list([NULL, bool(true), obj([['k', str('v')]])])],
  ])()
}

/** A value of the wrong type for any position: the server must say so, not fail. */
export function wrongValue(r: Random): Val {
  return r.pick<Val>([
    str('x'),
    str(r.pick(SQL_STRINGS)),
    num('1.5'),
    num('2147483648'),
    num('-1'),
    num('1e400'),
    bool(true),
    obj([['a', num('1')]]),
    obj([]),
    list([num('1'), str('2')]),
    list([]),
    { kind: 'enum', name: 'NOT_A_VALUE' },
    NULL,
  ])
}
