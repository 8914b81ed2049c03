/**
 * plugin-prisma's type generator (`prisma-pothos-types`) names `Prisma.<Model>WhereUniqueInput`
 * for every model, but Prisma makes none for a view without a unique field (a keyless table
 * or view): the generated src/generated/pothos-types.ts would not compile. Such a model cannot
 * be found by a unique key, so its WhereUnique becomes `never`.
 */
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export async function fixPothosTypes(generatedDir: string): Promise<void> {
  const file = join(generatedDir, 'pothos-types.ts')
  if (!existsSync(file)) return
  const text = await readFile(file, 'utf8')
  const models = join(generatedDir, 'prisma', 'models')
  const declared = async (model: string) => {
    const source = join(models, `${model}.ts`)
    return existsSync(source) && (await readFile(source, 'utf8')).includes(`export type ${model}WhereUniqueInput `)
  }
  let fixed = text
  for (const [line, model] of text.matchAll(/WhereUnique: Prisma\.(\w+)WhereUniqueInput;/g)) {
    if (!(await declared(model!))) fixed = fixed.replace(line, 'WhereUnique: never;')
  }
  if (fixed !== text) await writeFile(file, fixed)
}
