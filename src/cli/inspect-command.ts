/** `portico inspect`: the database's structure as a DBA's notebook would show it. */
import pg from 'pg'
import { DEFAULT_SCHEMAS, type PorticoConfig } from '../config/config.js'
import { checkConnection } from '../db/connection-errors.js'
import { inspectDatabase } from '../inspect/catalog.js'
import { formatInspectionJson, formatInspectionText } from '../inspect/format.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

export async function runInspect(config: PorticoConfig, json: boolean): Promise<void> {
  const database = await openDatabase(config, createProgress())
  try {
    await checkConnection(database.url, config.connectionTimeoutMs)
    const client = new pg.Client({ connectionString: database.url, application_name: 'portico' })
    await client.connect()
    try {
      const inspection = await inspectDatabase((sql, params) => client.query(sql, params as never[]), database.config.schemas ?? DEFAULT_SCHEMAS)
      process.stdout.write(`${json ? formatInspectionJson(inspection) : formatInspectionText(inspection)}\n`)
    } finally {
      await client.end()
    }
  } finally {
    await database.close()
  }
}
