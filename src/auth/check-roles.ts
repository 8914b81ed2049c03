/**
 * At start, with authorization on: every configured role must exist and be one the connecting user
 * may switch to (SET ROLE needs membership). Otherwise the first request as that role would fail
 * with a database error; this fails at start instead, saying which roles and how to fix it.
 */
import type pg from 'pg'
import { ConfigError } from '../config/config.js'
import type { AuthConfig } from './verify-token.js'

export async function checkRoles(pool: pg.Pool, auth: AuthConfig): Promise<void> {
  const roles = [...new Set([...auth.roles, ...(auth.anonymousRole ? [auth.anonymousRole] : [])])]
  const { rows } = await pool.query<{ role: string; exists: boolean; member: boolean | null }>(
    `SELECT r AS role, (p.oid IS NOT NULL) AS exists, CASE WHEN p.oid IS NULL THEN NULL ELSE pg_has_role(current_user, p.oid, 'MEMBER') END AS member
       FROM unnest($1::text[]) AS r LEFT JOIN pg_roles p ON p.rolname = r`,
    [roles],
  )
  const missing = rows.filter((r) => !r.exists).map((r) => r.role)
  const foreign = rows.filter((r) => r.exists && !r.member).map((r) => r.role)
  const problems = [
    ...(missing.length ? [`role(s) ${missing.join(', ')} do not exist in the database (CREATE ROLE … NOLOGIN)`] : []),
    ...(foreign.length ? [`the connecting user cannot switch to role(s) ${foreign.join(', ')} (GRANT ${foreign.join(', ')} TO <the user in databaseUrl>)`] : []),
  ]
  if (problems.length) throw new ConfigError(`invalid auth configuration: ${problems.join('; ')}`)
}
