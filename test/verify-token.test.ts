/**
 * Token verification on its own (src/auth/verify-token.ts), with real keys and a real JWKS
 * endpoint on a local port: ES256 keys fetched, cached and refetched on rotation, issuer and
 * audience checked, anonymous access off, an unreachable key set. The database side is
 * test/auth.test.ts.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema } from '../src/config/config.js'
import { AuthError, createTokenVerifier } from '../src/auth/verify-token.js'

const auth = (input: Record<string, unknown>) => configSchema.parse({ auth: { roles: ['web_user'], ...input } }).auth!

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthError)
  const { status, code, message } = error as AuthError
  return { status, code, message }
}

describe('HS256 secret', () => {
  const secret = 'a-test-secret-that-is-long-enough-for-hs256'
  const sign = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').setIssuer('https://issuer.test').setAudience('portico').sign(new TextEncoder().encode(secret))

  it('without a token and without an anonymous role: 401', async () => {
    expect(await refusal(createTokenVerifier(auth({ jwtSecret: secret }))(null))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: 'Authentication required: send an "Authorization: Bearer <token>" header.' })
  })

  it('the role from a nested claim, or the default role', async () => {
    const verify = createTokenVerifier(auth({ jwtSecret: secret, roleClaim: 'app.role', roles: ['web_user', 'admin'], defaultRole: 'web_user' }))
    expect(await verify(`Bearer ${await sign({ sub: 'a', app: { role: 'admin' } })}`)).toEqual({ role: 'admin', claims: expect.objectContaining({ sub: 'a', app: { role: 'admin' } }) })
    expect((await verify(`Bearer ${await sign({ sub: 'a' })}`)).role).toBe('web_user')
  })

  it('issuer and audience, when configured, must match', async () => {
    const verify = createTokenVerifier(auth({ jwtSecret: secret, issuer: 'https://other.test', audience: 'portico' }))
    expect(await refusal(verify(`Bearer ${await sign({ role: 'web_user' })}`))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: 'The token\'s "iss" claim is not valid here (check_failed).' })
  })

  it('a verified token is remembered (the same identity comes back) only until it expires', async () => {
    const verify = createTokenVerifier(auth({ jwtSecret: secret, clockToleranceSeconds: 0 }))
    const exp = Math.floor(Date.now() / 1000) + 2
    const token = `Bearer ${await new SignJWT({ role: 'web_user', sub: 'a' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode(secret))}`
    const first = await verify(token)
    expect(await verify(token)).toBe(first)
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50))
    expect(await refusal(verify(token))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: 'The token has expired.' })
  })

  it('a refused token is not remembered: the same token stays refused, another one is verified', async () => {
    const verify = createTokenVerifier(auth({ jwtSecret: secret }))
    const good = await sign({ role: 'web_user' })
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(43)}`
    for (let i = 0; i < 2; i++) expect(await refusal(verify(`Bearer ${forged}`))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: "The token's signature is not valid." })
    expect((await verify(`Bearer ${good}`)).role).toBe('web_user')
  })

  it('a token signed with "none" or another algorithm family is refused', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"role":"web_user"}').toString('base64url')}.`
    const verify = createTokenVerifier(auth({ jwtSecret: secret }))
    expect((await refusal(verify(`Bearer ${unsigned}`))).status).toBe(401)
  })
})

describe('JWKS', () => {
  let server: Server
  let url: string
  let keys: JWK[] = []
  let fetches = 0
  let first: { privateKey: CryptoKey; kid: string }

  const keyPair = async (kid: string) => {
    const pair = await generateKeyPair('ES256')
    keys.push({ ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' })
    return { privateKey: pair.privateKey, kid }
  }
  const sign = (key: { privateKey: CryptoKey; kid: string }, claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setExpirationTime('5m').sign(key.privateKey)

  beforeAll(async () => {
    first = await keyPair('k1')
    server = createServer((_request, response) => {
      fetches++
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ keys }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('verifies ES256 tokens with keys fetched once and cached', async () => {
    const verify = createTokenVerifier(auth({ jwksUrl: url }))
    fetches = 0
    for (let i = 0; i < 5; i++) expect(await verify(`Bearer ${await sign(first, { sub: `u${i}`, role: 'web_user' })}`)).toEqual({ role: 'web_user', claims: expect.objectContaining({ sub: `u${i}` }) })
    expect(fetches).toBe(1)
  })

  it('a rotated-in key is fetched when a token names it; an unknown key id is a 401', async () => {
    const verify = createTokenVerifier(auth({ jwksUrl: url, jwksCooldownMs: 0 }))
    await verify(`Bearer ${await sign(first, { role: 'web_user' })}`)
    const second = await keyPair('k2')
    expect((await verify(`Bearer ${await sign(second, { role: 'web_user' })}`)).role).toBe('web_user')
    const stranger = { privateKey: (await generateKeyPair('ES256')).privateKey, kid: 'k9' }
    expect(await refusal(verify(`Bearer ${await sign(stranger, { role: 'web_user' })}`))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: "No key of the API's key set matches the token." })
  })

  it('an unreachable key set is a 503 that says to retry, not a 401', async () => {
    const verify = createTokenVerifier(auth({ jwksUrl: 'http://127.0.0.1:1/jwks.json' }))
    expect(await refusal(verify(`Bearer ${await sign(first, { role: 'web_user' })}`))).toEqual({
      status: 503,
      code: 'AUTH_UNAVAILABLE',
      message: 'Tokens cannot be verified right now (the key set is unavailable); try again shortly.',
    })
  })
})

describe('configuration', () => {
  it.each([
    [{ roles: ['a'] }, 'auth: give exactly one of jwtSecret (HS256) and jwksUrl (RS256/ES256)'],
    [{ roles: ['a'], jwtSecret: 'short' }, 'auth.jwtSecret: must be at least 32 characters: a shorter HMAC secret can be guessed'],
    [{ roles: ['a'], jwksUrl: 'ftp://keys.test/jwks' }, 'auth.jwksUrl: must be an http(s) URL'],
    [{ roles: ['a'], jwtSecret: 'x'.repeat(32), defaultRole: 'b' }, 'auth.defaultRole: must be one of roles'],
  ])('%j is refused: %s', (input, message) => {
    const result = configSchema.safeParse({ auth: input })
    expect(result.success).toBe(false)
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toContain(message)
  })
})
