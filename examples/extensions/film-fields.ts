/**
 * Fields computed in TypeScript on a generated type, the plugin-prisma way: `select` names the
 * columns and relations the resolver reads, and Portico reads them in the operation's own SQL
 * statement. Run it: npx portico serve --database-url postgres://.../pagila --extension examples/extensions/film-fields.ts
 *
 *   { films(first: 3) { nodes { title titleLength summary } } }
 */
import type { PorticoApi, PorticoBuilder } from 'portico'
// Written by `portico introspect` (project mode): the builder is typed over your real models.
import type PrismaTypes from '../../src/generated/pothos-types.js'

export default function filmFields(builder: PorticoBuilder<PrismaTypes>, _portico: PorticoApi): void {
  builder.prismaObjectField('Film', 'titleLength', (t) => t.int({ select: { title: true }, resolve: (film) => film.title.length }))

  builder.prismaObjectField('Film', 'summary', (t) =>
    t.string({
      // A relation and a count of related rows, read in the same statement as the film.
      select: { title: true, language: { select: { name: true } }, _count: { select: { reviews: true } } },
      resolve: (film) => `${film.title} (${film.language.name.trim()}, ${film._count.reviews} reviews)`,
    }),
  )
}
