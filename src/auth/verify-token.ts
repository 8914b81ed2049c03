/**
 * Who a request is: the `Authorization: Bearer <JWT>` header verified with jose (an HS256 secret,
 * or RS256/ES256/EdDSA keys from a JWKS URL, fetched once and cached), turned into the PostgreSQL
 * role and claims the request's transaction runs with (../db/request-session.ts). Every refusal
 * is an AuthError with the HTTP status and a message that says what to fix; the token itself is
 * never echoed.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose'
import type { PorticoConfig } from '../config/config.js'
import type { SessionIdentity } from '../db/request-session.js'

export type AuthConfig = NonNullable<PorticoConfig['auth']>

export class AuthError extends Error {
  override name = 'AuthError'
  constructor(
    message: string,
    readonly status: 401 | 403 | 503,
    readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE',
  ) {
    super(message)
  }
}

/** The identity of a request, from its Authorization header (null: none sent). */
export type TokenVerifier = (authorization: string | null) => Promise<SessionIdentity>

/**
 * Verified tokens are remembered by their text: a client sends the same token with every request
 * until it refreshes it, and checking a signature through WebCrypto costs more CPU than a light
 * read (about 0.15 ms here). An entry lasts until the token expires and at most this long, so a
 * key withdrawn from a JWKS is no longer accepted after a minute, as with PostgREST's JWT cache.
 * A token that failed is not remembered.
 */
const VERIFIED_TTL_MS = 60_000
const VERIFIED_MAX = 10_000

const SYMMETRIC = ['HS256', 'HS384', 'HS512']
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']

export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = config.jwtSecret
    ? new TextEncoder().encode(config.jwtSecret)
    : // jose caches the key set, refetches it at most every cooldown when an unknown `kid` shows up
      // (key rotation), and gives up on a slow JWKS endpoint after the timeout.
      createRemoteJWKSet(new URL(config.jwksUrl!), { cacheMaxAge: config.jwksCacheMs, cooldownDuration: config.jwksCooldownMs, timeoutDuration: 5_000 })
  const allowed = new Set(config.roles)
  const options = {
    algorithms: config.algorithms ?? (config.jwtSecret ? SYMMETRIC : ASYMMETRIC),
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds,
  }

  const anonymous = config.anonymousRole ? { role: config.anonymousRole, claims: {} } : undefined
  // Map order is insertion order: the oldest entry goes first when it is full.
  const verified = new Map<string, { identity: SessionIdentity; until: number }>()

  return async (authorization) => {
    if (authorization === null || authorization.trim() === '') {
      if (anonymous) return anonymous
      throw new AuthError('Authentication required: send an "Authorization: Bearer <token>" header.', 401, 'UNAUTHENTICATED')
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
    if (!token) throw new AuthError('The Authorization header must be "Bearer <token>".', 401, 'UNAUTHENTICATED')
    const now = Date.now()
    const known = verified.get(token)
    if (known && known.until > now) return known.identity
    if (known) verified.delete(token)
    const identity = await verify(token)
    // Until `exp` (with the clock tolerance jose allowed), and not beyond the TTL.
    const exp = typeof identity.claims.exp === 'number' ? identity.claims.exp * 1000 + (config.clockToleranceSeconds ?? 0) * 1000 : Infinity
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
    verified.set(token, { identity, until: Math.min(now + VERIFIED_TTL_MS, exp) })
    return identity
  }

  async function verify(token: string): Promise<SessionIdentity> {
    let claims: Record<string, unknown>
    try {
      claims = (await (typeof key === 'function' ? jwtVerify(token, key, options) : jwtVerify(token, key, options))).payload
    } catch (error) {
      throw refusal(error)
    }
    const role = claimAt(claims, config.roleClaim) ?? config.defaultRole
    if (role === undefined) throw new AuthError(`The token has no "${config.roleClaim}" claim and no default role is configured.`, 403, 'FORBIDDEN')
    if (typeof role !== 'string' || !allowed.has(role)) throw new AuthError(`The token's role is not one this API allows.`, 403, 'FORBIDDEN')
    return { role, claims }
  }
}

/** A claim by dotted path ("role", or "app_metadata.role" for nested claims). */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let value: unknown = claims
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function refusal(error: unknown): AuthError {
  const invalid = (message: string) => new AuthError(message, 401, 'UNAUTHENTICATED')
  if (error instanceof errors.JWTExpired) return invalid('The token has expired.')
  if (error instanceof errors.JWTClaimValidationFailed) return invalid(`The token's "${error.claim}" claim is not valid here (${error.reason}).`)
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('The token\'s signature is not valid.')
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('The token is signed with an algorithm this API does not accept.')
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('No key of the API\'s key set matches the token.')
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || (error instanceof TypeError && /fetch/i.test(error.message))) {
    return new AuthError('Tokens cannot be verified right now (the key set is unavailable); try again shortly.', 503, 'AUTH_UNAVAILABLE')
  }
  if (error instanceof errors.JOSEError) return invalid('The token is malformed.')
  return new AuthError('Tokens cannot be verified right now; try again shortly.', 503, 'AUTH_UNAVAILABLE')
}
