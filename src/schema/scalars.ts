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

function toDate(value: unknown, type: string): Date {
  const date = value instanceof Date ? value : new Date(String(value))
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`${type} cannot represent "${String(value)}"`)
  return date
}

export const DateTimeScalar = scalar({
  name: 'DateTime',
  description: 'A date and time, ISO-8601 in UTC (e.g. 2024-03-01T12:00:00.000Z).',
  serialize: (value) => toDate(value, 'DateTime').toISOString(),
  parse: (text) => {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) {
      throw new GraphQLError(`DateTime cannot represent "${text}": use ISO-8601, e.g. 2024-03-01T12:00:00Z`)
    }
    return toDate(text, 'DateTime')
  },
})

export const DateScalar = scalar({
  name: 'Date',
  description: 'A calendar date, ISO-8601 (e.g. 2024-03-01).',
  serialize: (value) => toDate(value, 'Date').toISOString().slice(0, 10),
  parse: (text) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new GraphQLError(`Date cannot represent "${text}": use YYYY-MM-DD`)
    return toDate(`${text}T00:00:00Z`, 'Date')
  },
})

export const TimeScalar = scalar({
  name: 'Time',
  description: 'A time of day, ISO-8601 (e.g. 13:45:00.000), in UTC for time with time zone.',
  serialize: (value) => toDate(value, 'Time').toISOString().slice(11, 23),
  parse: (text) => {
    if (!/^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) throw new GraphQLError(`Time cannot represent "${text}": use HH:MM:SS`)
    return toDate(`1970-01-01T${text}Z`, 'Time')
  },
})

export const BytesScalar = scalar({
  name: 'Bytes',
  description: 'Binary data (PostgreSQL bytea), base64-encoded.',
  serialize: (value) => Buffer.from(value as Uint8Array).toString('base64'),
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
  Date: DateScalar,
  Time: TimeScalar,
  Bytes: BytesScalar,
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
      if (nativeType === 'Time' || nativeType === 'Timetz') return 'Time'
      return 'DateTime'
    default:
      return prismaType // an enum
  }
}
