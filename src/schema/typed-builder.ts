/**
 * The builder's static types for extension authors. Portico builds with a builder typed `any`
 * (model names are only known at run time), but a project that ran `portico introspect` has the
 * Pothos Prisma types of its database (src/generated/pothos-types.ts, from plugin-prisma's
 * generator): `PorticoBuilder<PrismaTypes>` is the builder typed over those real models, so a
 * column missing from a `select`, or a resolver returning the wrong type, fails `tsc`.
 */
import type { Decimal } from '@prisma/client/runtime/client'
import type { DistributeOmit, FieldMap, FieldNullability, FieldOptionsFromKind, FieldRef, InputFieldMap, SchemaTypes, ShapeFromTypeParam, TypeParam } from '@pothos/core'
import type { PrismaModelTypes, prismaModelName } from '@pothos/plugin-prisma'
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
  /**
   * Every table's type by name (`type: 'Film'`, `builder.objectField('FilmLog', ...)`), its shape
   * the Prisma row: what a keyless type's extension field gets as its parent.
   */
  Objects: { [Name in keyof PrismaTypes]: PrismaTypes[Name] extends { Shape: infer Shape } ? Shape : never }
  Context: PorticoContext & { request: Request }
  DefaultFieldNullability: false
  Scalars: PorticoScalars
}

type Types<PrismaTypes extends {}> = PothosSchemaTypes.ExtendDefaultTypes<PorticoSchemaTypes<PrismaTypes>>

/**
 * A select naming only what the model has. plugin-prisma types `select` as the inferred literal
 * intersected with the model's select type, so a misspelt column passes `tsc` unless the resolver
 * reads it; Portico's builder refuses it (and start-up would too).
 */
type OnlyKnown<Select, Model extends PrismaModelTypes> = Select extends (...args: never[]) => unknown
  ? Select
  : { [K in keyof Select]: K extends keyof Model['Select'] ? Select[K] : never }

type ScalarMethods = { int: 'Int'; float: 'Float'; string: 'String'; boolean: 'Boolean'; id: 'ID'; intList: ['Int']; floatList: ['Float']; stringList: ['String']; booleanList: ['Boolean']; idList: ['ID'] }

/** plugin-prisma's field builder for a model's type, with `select` checked against the model. */
type PorticoPrismaFieldBuilder<T extends SchemaTypes, Model extends PrismaModelTypes, Shape extends object> = Omit<PothosSchemaTypes.PrismaObjectFieldBuilder<T, Model, Shape>, keyof ScalarMethods | 'field'> & {
  [M in keyof ScalarMethods]: <Nullable extends FieldNullability<ScalarMethods[M]> = T['DefaultFieldNullability'], ResolveShape = unknown, ResolveReturnShape = unknown, Args extends InputFieldMap = {}>(
    options: DistributeOmit<FieldOptionsFromKind<T, Shape, ScalarMethods[M], Nullable, Args, 'PrismaObject', ResolveShape, ResolveReturnShape>, 'type'> & { select?: OnlyKnown<ResolveShape, Model> },
  ) => FieldRef<T, ShapeFromTypeParam<T, ScalarMethods[M], Nullable>, 'PrismaObject'>
} & {
  field: <Type extends TypeParam<T>, ResolveShape, ResolveReturnShape, Nullable extends FieldNullability<Type> = T['DefaultFieldNullability'], Args extends InputFieldMap = {}>(
    options: FieldOptionsFromKind<T, Shape, Type, Nullable, Args, 'PrismaObject', ResolveShape, ResolveReturnShape> & { select?: OnlyKnown<ResolveShape, Model> },
  ) => FieldRef<T, ShapeFromTypeParam<T, Type, Nullable>, 'PrismaObject'>
}

type ModelOf<PrismaTypes extends {}, Name extends keyof PrismaTypes> = PrismaModelTypes & PrismaTypes[Name]
type ShapeOf<PrismaTypes extends {}, Name extends keyof PrismaTypes> = ModelOf<PrismaTypes, Name>['Shape'] & { [prismaModelName]?: Name }

/** The Pothos builder Portico uses, typed over a project's generated Prisma types. */
export type PorticoBuilder<PrismaTypes extends {} = {}> = Omit<PothosSchemaTypes.SchemaBuilder<Types<PrismaTypes>>, 'prismaObjectField' | 'prismaObjectFields'> & {
  prismaObjectField<Name extends keyof PrismaTypes>(
    type: Name,
    fieldName: string,
    field: (t: PorticoPrismaFieldBuilder<Types<PrismaTypes>, ModelOf<PrismaTypes, Name>, ShapeOf<PrismaTypes, Name>>) => FieldRef<Types<PrismaTypes>>,
  ): void
  prismaObjectFields<Name extends keyof PrismaTypes>(type: Name, fields: (t: PorticoPrismaFieldBuilder<Types<PrismaTypes>, ModelOf<PrismaTypes, Name>, ShapeOf<PrismaTypes, Name>>) => FieldMap): void
}

/** An extension module's default export, typed: `export default defineExtension<PrismaTypes>((builder, portico) => ...)`. */
export type TypedExtension<PrismaTypes extends {} = {}, Client = unknown> = (builder: PorticoBuilder<PrismaTypes>, portico: PorticoApi<Client>) => void

/** Types an extension over the project's Prisma types; at run time it returns the function as is. */
export function defineExtension<PrismaTypes extends {} = {}, Client = unknown>(extension: TypedExtension<PrismaTypes, Client>): TypedExtension<PrismaTypes, Client> {
  return extension
}
