/**
 * The builder's static types for extension authors. Portico builds with a builder typed `any`
 * (model names are only known at run time), but a project that ran `portico introspect` has the
 * Pothos Prisma types of its database (src/generated/pothos-types.ts, from plugin-prisma's
 * generator): `PorticoBuilder<PrismaTypes>` is the builder typed over those real models, so a
 * column missing from a `select`, or a resolver returning the wrong type, fails `tsc`.
 */
import type { Decimal } from '@prisma/client/runtime/client'
import type {} from '@pothos/plugin-prisma'
import type {} from '@pothos/plugin-directives'
import type {} from '@pothos/plugin-federation'
import type { PorticoContext } from './request-context.js'
import type { PorticoApi } from './extend.js'

type Text = { Input: string; Output: string }

/** Portico's scalars as resolvers see them: input as parsed, output as accepted. */
export type PorticoScalars = {
  BigInt: { Input: bigint; Output: bigint | number | string }
  Decimal: { Input: string; Output: Decimal | number | string }
  DateTime: Text
  LocalDateTime: Text
  Date: Text
  Time: Text
  OffsetTime: Text
  Interval: Text
  Bytes: { Input: Uint8Array; Output: Uint8Array | string }
  JSON: { Input: unknown; Output: unknown }
  UUID: Text
}

export interface PorticoSchemaTypes<PrismaTypes extends {}> {
  PrismaTypes: PrismaTypes
  Context: PorticoContext & { request: Request }
  DefaultFieldNullability: false
  Scalars: PorticoScalars
}

/** The Pothos builder Portico uses, typed over a project's generated Prisma types. */
export type PorticoBuilder<PrismaTypes extends {} = {}> = PothosSchemaTypes.SchemaBuilder<PothosSchemaTypes.ExtendDefaultTypes<PorticoSchemaTypes<PrismaTypes>>>

/** An extension module's default export, typed: `export default defineExtension<PrismaTypes>((builder, portico) => ...)`. */
export type TypedExtension<PrismaTypes extends {} = {}, Client = unknown> = (builder: PorticoBuilder<PrismaTypes>, portico: PorticoApi<Client>) => void

/** Types an extension over the project's Prisma types; at run time it returns the function as is. */
export function defineExtension<PrismaTypes extends {} = {}, Client = unknown>(extension: TypedExtension<PrismaTypes, Client>): TypedExtension<PrismaTypes, Client> {
  return extension
}
