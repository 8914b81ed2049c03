/**
 * HAProxy in front of the fleet's Portico processes (Debian's /usr/sbin/haproxy), configured as
 * production would be: /readyz health checks, round robin for requests, and WebSocket upgrades on
 * a backend of their own (fewest connections first, tunnel timeout for long-lived sockets, the
 * server's name in the 101 answer so the test knows where each subscriber landed).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { anyFreePort, until } from '../support/portico-process.js'

export interface Haproxy {
  port: number
  /** The servers (p1, p2, …) the request backend has up. */
  upServers(): Promise<string[]>
  stop(): Promise<void>
}

/** The header of a WebSocket upgrade's answer that names the server (p1, p2, …) behind it. */
export const SERVER_HEADER = 'x-fleet-server'

export async function startHaproxy(ports: number[]): Promise<Haproxy> {
  const port = await anyFreePort()
  const statsPort = await anyFreePort()
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-haproxy-'))
  const file = path.join(dir, 'haproxy.cfg')
  writeFileSync(
    file,
    `global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # After a WebSocket upgrade the tunnel timeout replaces client/server: a subscriber may hear
  # nothing for minutes and must not be cut off for it.
  timeout tunnel 1h
  timeout client-fin 5s
  timeout server-fin 5s
  # A connection refused (a process gone) is tried again on another server; a request already
  # sent is never replayed by HAProxy: the client retries it, with its idempotency key.
  retries 2
  option redispatch
frontend graphql
  bind 127.0.0.1:${port}
  acl websocket hdr(upgrade) -i websocket
  use_backend portico_ws if websocket
  default_backend portico
backend portico
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
${ports.map((p, i) => `  server p${i + 1} 127.0.0.1:${p} check`).join('\n')}
backend portico_ws
  # Long-lived connections: each new one to the process with the fewest, so the subscribers of a
  # killed process spread over the others, and a restarted process gets the next ones. Up and down
  # as the request backend's checks say (track), and redispatched on every retry: a socket
  # connecting while a killed process is not yet marked down goes elsewhere at once.
  balance leastconn
  option redispatch 1
  http-response set-header ${SERVER_HEADER} %[srv_name]
${ports.map((p, i) => `  server p${i + 1} 127.0.0.1:${p} track portico/p${i + 1}`).join('\n')}
listen stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
`,
  )
  const child = spawn('/usr/sbin/haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const upServers = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text()
    return csv
      .split('\n')
      .map((line) => line.split(','))
      .filter((f) => f[0] === 'portico' && /^p\d$/.test(f[1] ?? '') && f[17]?.startsWith('UP'))
      .map((f) => f[1]!)
  }
  try {
    await until(() => upServers().then(() => true, () => false), 10_000)
  } catch {
    child.kill('SIGKILL')
    throw new Error(`haproxy did not start:\n${stderr}`)
  }
  return {
    port,
    upServers: () => upServers().catch(() => []),
    async stop() {
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
