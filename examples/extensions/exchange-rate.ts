/**
 * A root query that calls an external HTTP service, beside the generated fields (one operation
 * may ask for both). The service's URL comes from RATES_URL (the tests start a local stub).
 *
 *   { exchangeRate(from: "USD", to: "EUR") film(filmId: 1) { title rentalRate } }
 */
import { GraphQLError } from 'graphql'
import type { PorticoApi, PorticoBuilder } from 'portico'
import type PrismaTypes from '../../src/generated/pothos-types.js'

export default function exchangeRate(builder: PorticoBuilder<PrismaTypes>, portico: PorticoApi): void {
  builder.queryField('exchangeRate', (t) =>
    t.float({
      description: 'How many `to` one `from` buys today (an external rates service).',
      args: { from: t.arg.string({ required: true }), to: t.arg.string({ required: true }) },
      resolve: async (_root, { from, to }) => {
        if (!/^[A-Z]{3}$/.test(from) || !/^[A-Z]{3}$/.test(to)) throw new GraphQLError('currencies are three capital letters, e.g. USD', { extensions: { code: 'BAD_USER_INPUT' } })
        const base = process.env.RATES_URL ?? 'https://api.frankfurter.app'
        const response = await fetch(`${base}/latest?from=${from}&to=${to}`, { signal: AbortSignal.timeout(5_000) })
        if (!response.ok) {
          portico.logger.warn({ status: response.status }, 'the rates service refused')
          throw new GraphQLError('the rates service is unavailable', { extensions: { code: 'SERVICE_UNAVAILABLE' } })
        }
        const body = (await response.json()) as { rates: Record<string, number> }
        return body.rates[to]!
      },
    }),
  )
}
