/**
 * useBodyLimit: a request whose declared body (Content-Length) is larger than the limit is
 * refused with 413 before any of it is read or parsed.
 */
import type { Plugin } from 'graphql-yoga'

export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      const length = Number(request.headers.get('content-length') ?? 0)
      if (length > maxBytes) {
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: `Request body too large: ${length} bytes, at most ${maxBytes}.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }), {
            status: 413,
            headers: { 'content-type': 'application/json; charset=utf-8' },
          }),
        )
      }
    },
  }
}
