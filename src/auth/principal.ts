/**
 * Who a caller is, as opposed to which token they sent: the role and the claims, without the
 * claims that describe the token itself (RFC 7519: `iat` issued at, `exp` expiry, `nbf` not
 * before, `jti` its id). A client that refreshes its token is still the same caller.
 *
 * For what must survive a token's renewal: an idempotency key (../schema/mutation-fields.ts) is a
 * caller's, so a create retried with a fresh token replays instead of writing again. What an
 * answer depends on (the response cache, live-query groups) keeps every claim: a row-level
 * security policy may read any of them, `exp` included.
 */
import type { SessionIdentity } from '../db/request-session.js'

const TOKEN_CLAIMS = new Set(['iat', 'exp', 'nbf', 'jti'])

/** The caller as text: role, then the claims that are not the token's own, in the token's order. */
export function principalOf(identity: SessionIdentity): string {
  const claims = Object.fromEntries(Object.entries(identity.claims).filter(([name]) => !TOKEN_CLAIMS.has(name)))
  return `${identity.role}\u0000${JSON.stringify(claims)}`
}
