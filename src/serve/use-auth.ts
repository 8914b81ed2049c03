/**
 * useAuth: every GraphQL request's identity, from its Authorization header (../auth/verify-token.ts),
 * before anything is parsed or run. A refused token answers at once: 401 (no, invalid or expired
 * token, with `WWW-Authenticate: Bearer`), 403 (a role outside the allow-list) or 503 (the key set
 * cannot be fetched), as a GraphQL error whose code says which. Health checks, metrics and the
 * GraphiQL page need no token: they never reach `onParams`.
 */
import { GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { AuthError, type TokenVerifier } from '../auth/verify-token.js'
import type { SessionIdentity } from '../db/request-session.js'

const identities = new WeakMap<Request, SessionIdentity>()

/** The verified identity of a request (undefined when authorization is off). */
export function identityOf(request: Request | undefined): SessionIdentity | undefined {
  return request ? identities.get(request) : undefined
}

export function useAuth(verify: TokenVerifier): Plugin {
  return {
    async onParams({ request, setResult }) {
      try {
        identities.set(request, await verify(request.headers.get('authorization')))
      } catch (error) {
        if (!(error instanceof AuthError)) throw error
        const headers: Record<string, string> =
          error.status === 401 ? { 'WWW-Authenticate': `Bearer realm="portico", error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"` } : {}
        setResult({ errors: [new GraphQLError(error.message, { extensions: { code: error.code, http: { status: error.status, headers } } })] })
      }
    },
  }
}
