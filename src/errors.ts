/**
 * Errors every layer may raise, in a leaf module that imports nothing of Portico's.
 */

/**
 * The database's structure, its smart tags or the config's smartTags cannot be served as asked:
 * two objects that would get one GraphQL name, a declared key naming a missing column, a tag for
 * a table that does not exist. Start-up stops with this message, which names what to change.
 */
export class ModelError extends Error {
  override name = 'ModelError'
}

/**
 * An extension module (`--extension`, config `extensions`) cannot be used: it is missing, does not
 * load, its default export is not a function, or it failed while adding to the schema.
 */
export class ExtensionError extends Error {
  override name = 'ExtensionError'
}
