/**
 * useCSRFPrevention: refuses the GraphQL requests that any web page can make a visitor's browser
 * send here, without a CORS preflight and with the visitor's cookies, HTTP authentication or
 * network position (cross-site request forgery). Such "simple" requests are GETs and POSTs whose
 * Content-Type is missing, text/plain, application/x-www-form-urlencoded or multipart/form-data:
 * an HTML form can post `query=mutation { ... }` as urlencoded, which Yoga would run.
 *
 * Refused, unless one of `requestHeaders` is present (a page can only set such a header after a
 * preflight the server agreed to): every such POST. GraphQL clients post application/json, which
 * is never simple, so none of them is affected. GETs are let through unless `checkGet` is set:
 * Yoga runs no mutation on a GET, and plain GETs are how links, curl and CDNs ask (and how the
 * GraphQL-over-HTTP audit does). Yoga's own plugin (@graphql-yoga/plugin-csrf-prevention) refuses
 * every GET without a header too, which breaks those clients; this is its rule with GETs optional.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga'
import type { PorticoConfig } from '../config/config.js'

/** The media types a browser sends cross-site without a preflight (the Fetch standard's CORS-safelisted ones). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])

export function useCSRFPrevention(options: Omit<PorticoConfig['csrfPrevention'], 'enabled'>): Plugin {
  const { requestHeaders, checkGet } = options
  return {
    onRequestParse({ request }) {
      const isGet = request.method === 'GET'
      if (isGet ? !checkGet : request.method !== 'POST') return
      const contentType = request.headers.get('content-type')
      if (!isSimple(contentType) || requestHeaders.some((name) => request.headers.has(name))) return
      const what = isGet ? 'a GET' : `a POST ${contentType ? `with Content-Type ${mediaType(contentType)}` : 'without a Content-Type'}`
      const remedy = isGet ? 'Add' : 'Send Content-Type: application/json, or add'
      throw createGraphQLError(
        `Refused as a possible cross-site request forgery: any web page can make a browser send ${what} without a CORS preflight. ` +
          `${remedy} one of the headers ${requestHeaders.join(', ')}.`,
        { extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } } },
      )
    },
  }
}

function isSimple(contentType: string | null): boolean {
  return !contentType || SIMPLE_CONTENT_TYPES.has(mediaType(contentType))
}

/** `text/plain;charset=UTF-8` -> `text/plain`; of a list (which Yoga reads by its first item), the first. */
function mediaType(contentType: string): string {
  return contentType.split(',')[0]!.split(';')[0]!.trim().toLowerCase()
}
