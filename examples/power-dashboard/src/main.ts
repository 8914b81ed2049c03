/** The dashboard: one live query, re-rendered on every result Portico pushes. */
import './style.css'
import { subscribeLive } from './live.js'
import { LatestReadings } from './operations.js'
import { renderDevices } from './view.js'

const devices = document.querySelector<HTMLElement>('#devices')!
const status = document.querySelector<HTMLElement>('[data-testid="status"]')!
const updated = document.querySelector<HTMLElement>('[data-testid="updated"]')!

function setStatus(state: 'connecting' | 'live' | 'error', text: string): void {
  status.dataset.state = state
  status.textContent = text
}

/** Subscribes; when the server ends the stream or refuses it, says so and subscribes again shortly. */
function follow(): void {
  let ended = false
  const stop = subscribeLive(LatestReadings, {}, {
    onConnected: () => setStatus('live', 'live'),
    onResult: (data) => {
      setStatus('live', 'live')
      renderDevices(devices, data.iotawatts.nodes)
      const newest = data.iotawatts.nodes[0]?.timestamp
      updated.textContent = newest ? `latest reading ${new Date(newest).toLocaleString()} · ${data.iotawatts.nodes.length} readings shown` : 'no readings yet'
      updated.dataset.newest = newest ?? ''
    },
    onError: (message, final) => {
      setStatus('error', final ? `${message}; retrying…` : message)
      if (!final || ended) return
      ended = true
      stop()
      setTimeout(follow, 3_000)
    },
  })
}

follow()
