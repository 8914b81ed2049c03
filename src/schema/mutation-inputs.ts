/**
 * The input types of the mutations, shaped like Prisma's (./mutation-data.ts turns their values
 * into Prisma's arguments):
 *
 *   <Type>CreateInput      columns (required where NOT NULL without a default) and relations:
 *                          to-one `{ connect: <T>WhereUniqueInput, create: ... }`, to-many
 *                          `{ connect: [...], create: [...] }`, many-to-many shortcuts
 *                          `{ connect: [...] }` (join rows are created)
 *   <Type>CreateManyInput  columns only (a multi-row INSERT)
 *   <Type>UpdateInput      every column optional; relations also take `disconnect`
 *   <Type>UpdateManyInput  columns only
 *   <Type>WhereUniqueInput the key's fields and every unique key's: give one key whole
 *
 * A foreign-key column is optional beside its relation: give one or the other. Nested creates are
 * `<T>CreateWithout<Relation>Input`: the target's create input without the way back.
 */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { allows, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { uniqueKeys } from '../planner/prisma-where.js'
import { graphqlScalarName } from './scalars.js'
import { excludedFields, foreignKeyFields, writeRelations, writeShortcuts } from './write-model.js'
import { derivedTypeName } from '../model/inflect.js'

interface FieldSpec {
  type: unknown
  list?: boolean
  required: boolean
  description?: string
}

type Specs = Record<string, FieldSpec>

export class MutationInputs {
  /** Input type names made so far; a name maps to undefined when its type would have no fields. */
  private readonly made = new Map<string, string | undefined>()

  constructor(private readonly ctx: SchemaContext) {}

  create(model: ModelInfo): string | undefined {
    return this.createInput(model, undefined)
  }

  createMany(model: ModelInfo): string | undefined {
    return this.input(derivedTypeName.createManyInput(model.name), `Columns of one new ${model.name} row.`, () => this.scalarSpecs(model, 'create', new Set(), false))
  }

  update(model: ModelInfo): string | undefined {
    return this.input(derivedTypeName.updateInput(model.name), `New values for a ${model.name} row; fields left out keep their value.`, () => {
      const specs = this.scalarSpecs(model, 'update', new Set(), true)
      for (const relation of writeRelations(this.ctx, model)) {
        const type = this.nestedUpdate(relation.field, relation.target, relation.inverse)
        if (type) specs[relation.field.name] = { type, required: false }
      }
      for (const shortcut of writeShortcuts(this.ctx, model)) {
        specs[shortcut.name] = { type: this.links(shortcut.path.far, true), required: false, description: `Link or unlink ${shortcut.path.far.name} rows (rows of ${shortcut.path.join.name}).` }
      }
      return specs
    })
  }

  updateMany(model: ModelInfo): string | undefined {
    return this.input(derivedTypeName.updateManyInput(model.name), `New values for every matching ${model.name} row.`, () => this.scalarSpecs(model, 'update', new Set(), false))
  }

  whereUnique(model: ModelInfo): string | undefined {
    const keys = uniqueKeys(model)
    const described = keys.map((k) => k.join(' + ')).join(', or ')
    return this.input(derivedTypeName.whereUniqueInput(model.name), `One ${model.name} row, by a whole key: ${described}.`, () => {
      const specs: Specs = {}
      for (const name of new Set(keys.flat())) specs[name] = { type: this.scalarType(model, model.scalars.find((f) => f.name === name)!), required: false }
      return specs
    })
  }

  /** `<T>CreateInput`, or `<T>CreateWithout<R>Input` for a nested create reached through `without`. */
  private createInput(model: ModelInfo, without: DMMFField | undefined): string | undefined {
    const name = without ? derivedTypeName.createWithoutInput(model.name, without.name) : derivedTypeName.createInput(model.name)
    return this.input(name, `A new ${model.name} row, with related rows to create or connect.`, () => {
      const excluded = excludedFields(without)
      const specs = this.scalarSpecs(model, 'create', excluded, true)
      for (const relation of writeRelations(this.ctx, model)) {
        if (excluded.has(relation.field.name)) continue
        const type = this.nestedCreate(relation.field, relation.target, relation.inverse)
        if (type) specs[relation.field.name] = { type, required: false }
      }
      for (const shortcut of writeShortcuts(this.ctx, model)) {
        specs[shortcut.name] = { type: this.links(shortcut.path.far, false), required: false, description: `Link existing ${shortcut.path.far.name} rows (creates rows of ${shortcut.path.join.name}).` }
      }
      return specs
    })
  }

  /** `{ connect, create }` for a relation, one row or a list. */
  private nestedCreate(field: DMMFField, target: ModelInfo, inverse: DMMFField): string | undefined {
    const many = field.isList
    const name = derivedTypeName.createNestedInput(target.name, many, inverse.name)
    return this.input(name, `${many ? 'Related rows' : 'The related row'}: connect existing ${target.name} rows by key, or create new ones.`, () => {
      const specs: Specs = {}
      const where = this.whereUnique(target)
      if (where) specs.connect = { type: where, list: many, required: false }
      const create = this.createInput(target, inverse)
      if (create) specs.create = { type: create, list: many, required: false }
      return specs
    })
  }

  /** `{ connect, create, disconnect }`; disconnect only where the foreign key may be NULL. */
  private nestedUpdate(field: DMMFField, target: ModelInfo, inverse: DMMFField): string | undefined {
    const many = field.isList
    const name = derivedTypeName.updateNestedInput(target.name, many, inverse.name)
    return this.input(name, `Change ${many ? 'which rows are related' : 'the related row'}: connect, create or disconnect ${target.name} rows.`, () => {
      const specs: Specs = {}
      const where = this.whereUnique(target)
      if (where) specs.connect = { type: where, list: many, required: false }
      const create = this.createInput(target, inverse)
      if (create) specs.create = { type: create, list: many, required: false }
      // Disconnecting sets the foreign key to NULL, on whichever side holds it.
      const owning = (field.relationFromFields?.length ?? 0) > 0
      const optional = owning ? !field.isRequired : !inverse.isRequired
      if (optional && many && where) specs.disconnect = { type: where, list: true, required: false, description: 'Set these rows\' foreign key to NULL.' }
      if (optional && !many) specs.disconnect = { type: 'Boolean', required: false, description: 'true: set the foreign key to NULL.' }
      return specs
    })
  }

  /** Many-to-many shortcut: `{ connect: [...] }`, and `disconnect: [...]` on update. */
  private links(far: ModelInfo, update: boolean): string | undefined {
    const where = this.whereUnique(far)
    if (!where) return undefined
    return this.input(derivedTypeName.linkInput(far.name, update), `Link ${update ? 'or unlink ' : ''}existing ${far.name} rows.`, () => {
      const specs: Specs = { connect: { type: where, list: true, required: false, description: 'Create a join row to each of these.' } }
      if (update) specs.disconnect = { type: where, list: true, required: false, description: 'Delete the join row to each of these (the rows themselves stay).' }
      return specs
    })
  }

  /**
   * Column fields. On create a field is required where the column is NOT NULL without a default,
   * unless its relation can be given instead (`relations`); on update every field is optional.
   */
  private scalarSpecs(model: ModelInfo, mode: 'create' | 'update', excluded: Set<string>, relations: boolean): Specs {
    const foreignKeys = relations ? foreignKeyFields(model) : new Set<string>()
    const specs: Specs = {}
    for (const field of model.scalars) {
      // Generated and identity-ALWAYS columns are PostgreSQL's to write: not in any input; nor a
      // column whose smart tag omits this action (`@omit update`).
      if (excluded.has(field.name) || model.columns.get(field.name)?.generatedAlways || !allows(model, field.name, mode)) continue
      // Prisma marks every list required; whether the array column may be NULL it does not say.
      const required = mode === 'create' && field.isRequired && !field.isList && !field.hasDefaultValue && !field.isUpdatedAt && !foreignKeys.has(field.name)
      specs[field.name] = { type: this.scalarType(model, field), list: field.isList, required, description: field.documentation }
    }
    return specs
  }

  private scalarType(model: ModelInfo, field: DMMFField): unknown {
    const name = graphqlScalarName(field.type, model.nativeTypes.get(field.name))
    return this.ctx.enumRefs.get(name) ?? name
  }

  /** Registers an input type once; its fields are worked out now, so an empty one is never made. */
  private input(name: string, description: string, specs: () => Specs): string | undefined {
    if (this.made.has(name)) return this.made.get(name)
    // Set before the fields are worked out: relations lead back here (a self relation, a cycle).
    this.made.set(name, name)
    const fields = specs()
    if (Object.keys(fields).length === 0) {
      this.made.set(name, undefined)
      return undefined
    }
    this.ctx.builder.inputType(name, {
      description,
      fields: (t: Builder) =>
        Object.fromEntries(
          Object.entries(fields).map(([key, spec]) => [
            key,
            t.field({
              type: spec.list ? [spec.type] : spec.type,
              // List items are never null: Prisma writes no NULL into an array or a relation list.
              required: spec.list ? { list: spec.required, items: true } : spec.required,
              description: spec.description,
            }),
          ]),
        ),
    })
    return name
  }
}
