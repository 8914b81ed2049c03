/**
 * Errors meant for the client. Everything else is masked by the Yoga server, so a resolver that
 * wants the caller to see its message must throw one of these.
 */
import { GraphQLError } from 'graphql'

export class ClientError extends GraphQLError {
  constructor(message: string, code = 'BAD_USER_INPUT', extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } })
    // The name stays 'GraphQLError' on purpose: @envelop recognises GraphQL errors by name, and a
    // different name would get a deliberate client error masked as an internal one.
  }
}
