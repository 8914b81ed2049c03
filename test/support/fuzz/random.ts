/**
 * The fuzzer's only source of randomness: a seeded PRNG (mulberry32), so a failure reproduces from
 * its seed and case number. Every case gets its own generator, derived from both, so case 1234
 * is the same document whether it runs alone (FUZZ_CASE=1234) or among thousands.
 */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max)
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list')
    return items[this.int(items.length)]!
  }

  /** One of the entries, each as likely as its weight. */
  weighted<T>(entries: readonly (readonly [weight: number, value: T])[]): T {
    const total = entries.reduce((sum, [w]) => sum + w, 0)
    let x = this.next() * total
    for (const [w, value] of entries) {
      x -= w
      if (x < 0) return value
    }
    return entries[entries.length - 1]![1]
  }

  /** Up to `n` distinct items, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = this.int(i + 1)
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy.slice(0, n)
  }
}

/** The seed of case `index` of run `seed`: a hash of both, so neighbouring cases (and seeds) are unrelated. */
export function caseRandom(seed: number, index: number): Random {
  return new Random(mix((mix(seed >>> 0) + Math.imul(index + 1, 0x9e3779b1)) >>> 0))
}

/** murmur3's 32-bit finaliser. */
function mix(x: number): number {
  let h = x >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}
