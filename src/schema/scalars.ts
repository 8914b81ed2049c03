/**
 * GraphQL scalars for PostgreSQL types, chosen so no value loses precision on the way out:
 * bigint and numeric travel as strings (JSON numbers would round past 2^53 or 15 digits),
 * bytea as base64, dates and times as ISO-8601 text. JSON and UUID come from graphql-scalars.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql'
import { JSONResolver, UUIDResolver } from 'graphql-scalars'

function literalString(ast: ValueNode, type: string): string {
  if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value
  throw new GraphQLError(`${type} must be given as a string`)
}

function scalar(options: {
  name: string
  description: string
  serialize: (value: unknown) => unknown
  parse: (text: string) => unknown
}): GraphQLScalarType {
  const parse = (value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') throw new GraphQLError(`${options.name} must be given as a string`)
    return options.parse(String(value))
  }
  return new GraphQLScalarType({
    name: options.name,
    description: options.description,
    serialize: options.serialize,
    parseValue: parse,
    parseLiteral: (ast) => parse(literalString(ast, options.name)),
  })
}

export const BigIntScalar = scalar({
  name: 'BigInt',
  description: 'A 64-bit integer, as a string so that no digit is lost.',
  serialize: (value) => String(value),
  parse: (text) => {
    if (!/^-?\d+$/.test(text)) throw new GraphQLError(`BigInt cannot represent "${text}"`)
    return BigInt(text)
  },
})

export const DecimalScalar = scalar({
  name: 'Decimal',
  description: 'An exact decimal number (PostgreSQL numeric), as a string so that no digit is rounded.',
  serialize: (value) => String(value),
  parse: (text) => {
    if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new GraphQLError(`Decimal cannot represent "${text}"`)
    return text
  },
})

const ISO_DATE_TIME = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/
const ISO_DATE = /^\d{4,}-\d{2}-\d{2}$/
const ISO_TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/

/**
 * Timestamps arrive as PostgreSQL's text (see ../model/exact-temporal.ts), e.g.
 * `2022-01-23T13:03:52.212496+00:00`, always in UTC: served as `2022-01-23T13:03:52.212496Z`.
 * Digits after the second are PostgreSQL's: as many as stored, none for whole seconds.
 */
function timestampText(value: unknown): string {
  if (value instanceof Date) return value.toISOString()
  const text = String(value)
  const match = ISO_DATE_TIME.exec(text)
  if (!match) return text // 'infinity', '-infinity'
  return `${match[1]}T${match[2]}${!match[3] || /^[+-]00(:?00)?$/.test(match[3]) ? 'Z' : match[3]}`
}

export const DateTimeScalar = scalar({
  name: 'DateTime',
  description: 'A date and time, ISO-8601, in UTC (e.g. 2024-03-01T12:00:00.123456Z); microseconds as stored.',
  serialize: timestampText,
  parse: (text) => {
    if (!ISO_DATE_TIME.test(text) && !/^-?infinity$/.test(text)) {
      throw new GraphQLError(`DateTime cannot represent "${text}": use ISO-8601, e.g. 2024-03-01T12:00:00Z`)
    }
    // Passed to PostgreSQL as text, which reads it exactly (a time without zone is UTC).
    return /(Z|[+-]\d{2}(:?\d{2})?)$/.test(text) || /infinity$/.test(text) ? text : `${text}Z`
  },
})

const ISO_LOCAL_DATE_TIME = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/

/**
 * `timestamp without time zone` is a wall-clock reading: no zone was stored, so none is served
 * (`2024-03-01T08:30:00`) and none is accepted, as a value with one would be silently cut off by
 * PostgreSQL, or would have to be converted with a zone the column does not have.
 */
export const LocalDateTimeScalar = scalar({
  name: 'LocalDateTime',
  description: 'A date and time without a time zone (PostgreSQL timestamp without time zone), ISO-8601, e.g. 2024-03-01T08:30:00.123456; microseconds as stored.',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, -1) : String(value).replace(/^(\d{4,}-\d{2}-\d{2}) /, '$1T')),
  parse: (text) => {
    if (ISO_LOCAL_DATE_TIME.test(text) || /^-?infinity$/.test(text)) return text
    if (ISO_DATE_TIME.test(text)) {
      throw new GraphQLError(`LocalDateTime cannot represent "${text}": it has no time zone (a timestamp without time zone); leave out the zone or offset, e.g. 2024-03-01T08:30:00`)
    }
    throw new GraphQLError(`LocalDateTime cannot represent "${text}": use ISO-8601 without a zone, e.g. 2024-03-01T08:30:00`)
  },
})

export const DateScalar = scalar({
  name: 'Date',
  description: 'A calendar date, ISO-8601 (e.g. 2024-03-01).',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parse: (text) => {
    if (!ISO_DATE.test(text) && !/^-?infinity$/.test(text)) throw new GraphQLError(`Date cannot represent "${text}": use YYYY-MM-DD`)
    return text
  },
})

export const TimeScalar = scalar({
  name: 'Time',
  description: 'A time of day without a time zone (PostgreSQL time), ISO-8601, e.g. 13:45:00.5; microseconds as stored.',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(11, 23) : String(value)),
  parse: (text) => {
    if (!ISO_TIME.test(text)) throw new GraphQLError(`Time cannot represent "${text}": use HH:MM:SS`)
    return text
  },
})

const ISO_OFFSET_TIME = /^(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2}){0,2})?$/

/** PostgreSQL writes an offset of whole hours as `+02`: ISO-8601 (and this scalar) write `+02:00`. */
export const offsetTimeText = (text: string): string => text.replace(/([+-]\d{2})$/, '$1:00')

/**
 * `time with time zone` keeps the offset it was written with: `13:45:30+02:00` is served as
 * such, not moved to UTC. A value given without an offset is taken as UTC (+00:00).
 */
export const OffsetTimeScalar = scalar({
  name: 'OffsetTime',
  description: 'A time of day with its UTC offset (PostgreSQL time with time zone), ISO-8601, e.g. 13:45:00+02:00; microseconds as stored.',
  serialize: (value) => offsetTimeText(String(value)),
  parse: (text) => {
    const match = ISO_OFFSET_TIME.exec(text)
    if (!match) throw new GraphQLError(`OffsetTime cannot represent "${text}": use HH:MM:SS+HH:MM, e.g. 13:45:00+02:00`)
    return match[2] ? text : `${text}+00:00`
  },
})

export const IntervalScalar = scalar({
  name: 'Interval',
  description: 'A duration (PostgreSQL interval), ISO-8601, e.g. P1DT2H3M4S; microseconds as stored.',
  serialize: (value) => String(value),
  // PostgreSQL reads ISO-8601 and its own forms ("1 day 02:03:04") and says which it cannot.
  parse: (text) => text,
})

export const BytesScalar = scalar({
  name: 'Bytes',
  description: 'Binary data (PostgreSQL bytea), base64-encoded.',
  // The planner's SQL sends base64 already; bytes from elsewhere are encoded here.
  serialize: (value) => (typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('base64')),
  parse: (text) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new GraphQLError('Bytes must be base64')
    return new Uint8Array(Buffer.from(text, 'base64'))
  },
})

export const JSONScalar = JSONResolver
export const UUIDScalar = UUIDResolver

export const SCALARS = {
  BigInt: BigIntScalar,
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  LocalDateTime: LocalDateTimeScalar,
  Date: DateScalar,
  Time: TimeScalar,
  OffsetTime: OffsetTimeScalar,
  Bytes: BytesScalar,
  Interval: IntervalScalar,
  JSON: JSONScalar,
  UUID: UUIDScalar,
} as const

/** The GraphQL type of a Prisma scalar field, refined by its native database type. */
export function graphqlScalarName(prismaType: string, nativeType: string | undefined): string {
  switch (prismaType) {
    case 'Int':
      return 'Int'
    case 'Float':
      return 'Float'
    case 'Boolean':
      return 'Boolean'
    case 'String':
      if (nativeType === 'Date') return 'Date'
      if (nativeType === 'Time') return 'Time'
      if (nativeType === 'Timetz') return 'OffsetTime'
      if (nativeType === 'Timestamp') return 'LocalDateTime'
      if (nativeType === 'Timestamptz') return 'DateTime'
      if (nativeType === 'interval') return 'Interval'
      return nativeType === 'Uuid' ? 'UUID' : 'String'
    case 'BigInt':
      return 'BigInt'
    case 'Decimal':
      return 'Decimal'
    case 'Json':
      return 'JSON'
    case 'Bytes':
      return 'Bytes'
    case 'DateTime':
      if (nativeType === 'Date') return 'Date'
      if (nativeType === 'Time') return 'Time'
      if (nativeType === 'Timetz') return 'OffsetTime'
      // Prisma's DateTime without @db is timestamp(3), without time zone.
      if (nativeType === 'Timestamptz') return 'DateTime'
      return 'LocalDateTime'
    default:
      return prismaType // an enum
  }
}
