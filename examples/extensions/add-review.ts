/**
 * A mutation with its own validation around a generated write: it checks the input, writes
 * through the Prisma client (in the request's transaction, as the caller, when auth is on) and
 * returns the generated `Review` type, read by the planner for whatever the client selects.
 *
 *   mutation { addReview(filmId: 1, stars: 5, body: "A classic") { reviewId stars film { title } } }
 */
import { GraphQLError } from 'graphql'
import type { PorticoApi, PorticoBuilder } from 'portico'
import type PrismaTypes from '../../src/generated/pothos-types.js'
import type { PrismaClient } from '../../src/generated/prisma/client.js'

const invalid = (message: string, field: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } })

export default function addReview(builder: PorticoBuilder<PrismaTypes>, portico: PorticoApi<PrismaClient>): void {
  builder.mutationField('addReview', (t) =>
    t.field({
      type: 'Review',
      args: { filmId: t.arg.int({ required: true }), stars: t.arg.int({ required: true }), body: t.arg.string({ required: true }) },
      resolve: async (_root, args, _context, info) => {
        if (args.stars < 1 || args.stars > 5) throw invalid('stars must be between 1 and 5', 'stars')
        const body = args.body.trim()
        if (body.length < 3) throw invalid('a review says at least a few words', 'body')
        const film = await portico.prisma.film.findUnique({ where: { filmId: args.filmId }, select: { filmId: true } })
        if (!film) throw invalid(`there is no film ${args.filmId}`, 'filmId')
        const review = await portico.prisma.review.create({ data: { filmId: args.filmId, stars: args.stars, body }, select: { reviewId: true } })
        // The generated type's fields are built by Portico's SQL: read the row for this selection.
        return portico.lookup(info, 'Review', { reviewId: review.reviewId })
      },
    }),
  )
}
