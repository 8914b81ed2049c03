/**
 * Errors every layer may raise, in a leaf module that imports nothing of Portico's.
 */
import { GraphQLError } from 'graphql'

/**
 * An error meant for the client. Everything else is masked by the Yoga server, so code that wants
 * the caller to see its message throws one of these (db/, planner/, schema/ and serve/ alike).
 */
export class ClientError extends GraphQLError {
  constructor(message: string, code = 'BAD_USER_INPUT', extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } })
    // The name stays 'GraphQLError' on purpose: @envelop recognises GraphQL errors by name, and a
    // different name would get a deliberate client error masked as an internal one.
  }
}

/**
 * The database's structure, its smart tags or the config's smartTags cannot be served as asked:
 * two objects that would get one GraphQL name, a declared key naming a missing column, a tag for
 * a table that does not exist. Start-up stops with this message, which names what to change.
 */
export class ModelError extends Error {
  override name = 'ModelError'
}

/** The configuration is invalid (a value, a file, an environment variable): start-up stops with this message. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * An extension module (`--extension`, config `extensions`) cannot be used: it is missing, does not
 * load, its default export is not a function, or it failed while adding to the schema.
 */
export class ExtensionError extends Error {
  override name = 'ExtensionError'
}
