/**
 * The planner's errors that are the caller's, as ClientErrors: Yoga shows a ClientError's message
 * and the error-logging plugin leaves it out of the log (../serve/yoga.ts). Pothos's own
 * validation errors are not recognised as such (they are named PothosValidationError, and the
 * server knows GraphQL errors by name), so those thrown by Pothos's helpers are converted here.
 */
import { ClientError } from '../errors.js'

/** A malformed argument (page arguments, cursors, nodeIds, group-by arguments). */
export const badInput = (message: string): ClientError => new ClientError(message, 'BAD_USER_INPUT')

/** Runs a Pothos helper, its validation errors becoming client errors. */
export function pothosChecked<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof Error && error.name === 'PothosValidationError') throw badInput(error.message)
    throw error
  }
}

/**
 * A read that PostgreSQL refused because of a value it was given: SQLSTATE class 22, data
 * exception (a date that does not exist, a number beyond its column's range, a NUL byte in text,
 * an interval or time zone it cannot read, a key in a cursor or nodeId of the wrong type). Its
 * message names the type and quotes the value, never the statement, so the caller sees it; any
 * other error is unexpected and stays as it is (logged, masked).
 */
export function toReadError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return error
  // date_bin's refusal of a bucket `every: "1 month"` is "feature not supported", but about the value.
  const binned = code === '0A000' && /^timestamps cannot be binned/.test(String((error as Error).message))
  if (!binned && !/^22[0-9A-Z]{3}$/.test(code)) return error
  const message = String((error as Error).message).split('\n')[0]!.slice(0, 200)
  return new ClientError(`Invalid value: ${message}`, 'INVALID_VALUE', { sqlState: code })
}

/**
 * A function's own `RAISE EXCEPTION '...'` (SQLSTATE P0001): its author wrote the message for the
 * caller (a rule of the API, "not enough stock"), so the caller sees it; other errors unchanged.
 */
export function toRaisedError(error: unknown): unknown {
  if ((error as { code?: unknown } | null)?.code !== 'P0001') return error
  const message = String((error as Error).message).split('\n')[0]!.slice(0, 500)
  return new ClientError(message, 'RAISED_EXCEPTION', { sqlState: 'P0001' })
}
