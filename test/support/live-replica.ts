/**
 * One Portico replica in its own process, for the two-replica test: a gateway and its server on a
 * free port, config as JSON in argv[3]. It prints its URL on stdout, and publishes on the lines
 * `publish <topic> <json>` read from stdin, as extension code would (portico.publish).
 */
import { createInterface } from 'node:readline'
import { loadConfig } from '../../src/config/config.js'
import { createGateway } from '../../src/gateway.js'
import { createLogger } from '../../src/log.js'
import { listen } from '../../src/serve/http-server.js'

const [databaseUrl, configJson] = process.argv.slice(2)
const gateway = await createGateway({
  databaseUrl: databaseUrl!,
  config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { logLevel: 'warn', ...JSON.parse(configJson ?? '{}') } }),
  logger: createLogger('warn'),
  onProgress: () => {},
})
const server = await listen(gateway.yoga, { host: '127.0.0.1', port: 0, logger: createLogger('warn'), attach: (http) => (gateway.live.attach(http), { close: gateway.live.close }) })
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, topic, ...rest] = line.split(' ')
  if (command === 'publish') {
    gateway.live.publish(topic!, JSON.parse(rest.join(' ')))
    process.stdout.write(`${JSON.stringify({ published: topic })}\n`)
  }
})
const stop = async () => {
  await server.close()
  await gateway.close()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.stdin.on('end', () => void stop())
