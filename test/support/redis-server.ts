/**
 * A Redis server of a test's own (Debian's redis-server) on a loopback port, without persistence:
 * tests never share the machine's Redis with whoever else uses it.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import { anyFreePort, until } from './portico-process.js'

export const REDIS_SERVER = '/usr/bin/redis-server'

export function redisUnavailable(): string | undefined {
  return existsSync(REDIS_SERVER) ? undefined : `no ${REDIS_SERVER} (apt-get install redis-server)`
}

export interface RedisServer {
  port: number
  url: string
  stop(): Promise<void>
}

export async function startRedis(): Promise<RedisServer> {
  const port = await anyFreePort()
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await until(() => new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    }), 10_000)
  } catch {
    child.kill('SIGKILL')
    throw new Error(`redis-server did not start:\n${log}`)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
