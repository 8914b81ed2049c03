/**
 * Portico with authorization, as a benchmark target: the same server, config and operations as
 * ./portico.ts, plus `auth` (an HS256 secret, one role), and every request carries a bearer token.
 * Each request then verifies the token and runs its read as the token's role (set_config(role,
 * claims) and the read under one Sync: one round trip) under the dataset's row-level security policies
 * (../dataset.ts), which let this token see every row: the answers are Portico's without auth.
 */
import { createHmac } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { AUTH_READER_ROLE, AUTH_TENANT } from '../dataset.ts'
import { portico, PORTICO_BENCH_CONFIG } from './portico.ts'
import type { HttpRequest, TargetDefinition } from './target.ts'

const SECRET = 'portico-benchmark-hs256-secret-not-for-production'

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** An HS256 JWT, signed here (jose signs asynchronously; requests are built synchronously). */
export function signToken(claims: Record<string, unknown>, secret = SECRET): string {
  const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`
  return `${unsigned}.${base64url(createHmac('sha256', secret).update(unsigned).digest())}`
}

// Valid for a day from the start of the run: longer than any benchmark.
const TOKEN = signToken({ sub: 'bench-user', role: AUTH_READER_ROLE, tenant: AUTH_TENANT, exp: Math.floor(Date.now() / 1000) + 86_400 })

export const porticoAuth: TargetDefinition = {
  ...portico,
  name: 'portico-auth',
  label: 'Portico+auth',
  role: 'bench_portico_auth',
  statementRoles: ['bench_portico_auth', AUTH_READER_ROLE],
  launch(options) {
    const launch = portico.launch(options)
    const config = path.join(options.workDir, 'portico-auth.bench.config.json')
    writeFileSync(config, JSON.stringify({ ...PORTICO_BENCH_CONFIG, auth: { jwtSecret: SECRET, roles: [AUTH_READER_ROLE] } }, null, 2))
    return { ...launch, args: launch.args.map((arg, i) => (launch.args[i - 1] === '--config' ? config : arg)) }
  },
  request(operation, params): HttpRequest {
    return { ...portico.request(operation, params), headers: { authorization: `Bearer ${TOKEN}` } }
  },
  canonical(operation, body) {
    return portico.canonical(operation, body)
  },
}
