/**
 * One cohort's result, built once and handed to every subscriber of the cohort: the transports
 * write `stringify()` (Yoga's SSE and multipart processors call it), the same text for all of them.
 */
export class LiveResult {
  private parsed: unknown
  private readonly text: string

  constructor(data: string) {
    this.text = `{"data":${data}}`
  }

  /** Parsed only if something asks (the WebSocket transport does, once per cohort result). */
  get data(): unknown {
    this.parsed ??= (JSON.parse(this.text) as { data: unknown }).data
    return this.parsed
  }

  stringify = (): string => this.text

  toJSON(): unknown {
    return { data: this.data }
  }
}
