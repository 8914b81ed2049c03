/** What the live modules need of the change listener (./change-listener.ts); tests may feed one by hand. */

export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE'

/** One statement's changes to one table, as the trigger sends them: keys only, never rows. */
export interface ChangeEvent {
  /** "schema.table" */
  table: string
  op: ChangeOp
  /** The changed rows' keys, each as the key columns' text; none for a table without a key, or a TRUNCATE. */
  keys: string[][]
}

export interface ChangeFeed {
  /** Whether changes to this table are notified (its trigger is installed). */
  watches(table: string): boolean
  onChange(listener: (event: ChangeEvent) => void): () => void
  /** The LISTEN connection was lost and is back: events in between may have been missed. */
  onResync(listener: () => void): () => void
  /** The LISTEN connection was lost: until it is back, nothing is watched. */
  onLost(listener: () => void): () => void
}
