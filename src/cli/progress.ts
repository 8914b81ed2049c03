/** Progress of long steps for people at a terminal: one line each, with the time since start. */
export function createProgress(stream: NodeJS.WritableStream = process.stderr): (message: string) => void {
  const started = performance.now()
  return (message) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    stream.write(`portico [${seconds.padStart(5)} s] ${message}\n`)
  }
}
