/**
 * A small seeded pseudo-random generator for the spec world (sfc32, seeded through a 32-bit mixer).
 *
 * Every random choice of the world goes through an {@link Rng}; nothing reads `Math.random` or the clock, so the
 * same seed gives the same world. Streams are split by label with {@link Rng.fork}: a fork depends only on the
 * parent's seed and the label, never on how many numbers the parent has drawn, so adding a draw in one part of
 * the world does not shift the numbers of another part.
 */

/** Weyl increment used to spread seeds (the golden ratio in 32 bits). */
const GOLDEN_32 = 0x9e3779b9;
/** Draws discarded after seeding so that close seeds do not start with correlated numbers. */
const WARM_UP_DRAWS = 12;
/** Below this mean a Poisson count is drawn exactly (by inversion); above it, from a normal approximation. */
const POISSON_EXACT_MAX_MEAN = 30;
const TWO_POW_32 = 4_294_967_296;

/** murmur3's finaliser: a 32-bit bijection that spreads every input bit over the output. */
function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a hash of `label`, started from `basis` so that the same label forks differently per parent. */
function hashLabel(label: string, basis: number): number {
  let hash = (basis ^ 0x811c9dc5) >>> 0;
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

/** Folds any finite number (negative, fractional or above 2^32) into a 32-bit seed. */
function seedOf(seed: number): number {
  const whole = Math.floor(Math.abs(seed));
  const low = whole % TWO_POW_32;
  const high = Math.floor(whole / TWO_POW_32) % TWO_POW_32;
  const sign = seed < 0 ? 1 : 0;
  return mix32(low ^ mix32(high + sign * GOLDEN_32));
}

/** A seeded stream of pseudo-random numbers with the distributions the world needs. */
export class Rng {
  /** The stream's identity: what {@link Rng.fork} derives children from. */
  readonly identity: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for `seed` (any finite number). */
  constructor(seed: number) {
    this.identity = seedOf(seed);
    this.a = mix32(this.identity + GOLDEN_32);
    this.b = mix32(this.identity + 2 * GOLDEN_32);
    this.c = mix32(this.identity + 3 * GOLDEN_32);
    this.d = 1;
    for (let draw = 0; draw < WARM_UP_DRAWS; draw++) this.uint32();
  }

  /** An independent child stream named `label` (stable whatever this stream has drawn). */
  fork(label: string): Rng {
    return new Rng(hashLabel(label, this.identity));
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A uniform integer in [low, high] (both included). */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Log-uniform in [low, high): every factor of ten is equally likely. */
  logUniform(low: number, high: number): number {
    return Math.exp(this.uniform(Math.log(low), Math.log(high)));
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A log-normal draw with the given median and log-scale spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A Poisson count with mean `mean` (0 for a mean ≤ 0). */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean > POISSON_EXACT_MAX_MEAN) {
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    }
    let count = 0;
    let probability = Math.exp(-mean);
    let cumulative = probability;
    const target = this.next();
    while (target > cumulative && count < 10 * POISSON_EXACT_MAX_MEAN) {
      count++;
      probability *= mean / count;
      cumulative += probability;
    }
    return count;
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** One key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let target = this.next() * total;
    for (const [key, weight] of entries) {
      target -= weight;
      if (target < 0) return key;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new RangeError('weighted pick from no weights');
    return last[0];
  }

  /** `count` distinct indices of [0, size), in random order. */
  sample(size: number, count: number): number[] {
    const indices = Array.from({ length: size }, (_, index) => index);
    this.shuffle(indices);
    return indices.slice(0, Math.min(count, size));
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      const swap = items[index] as T;
      items[index] = items[other] as T;
      items[other] = swap;
    }
    return items;
  }
}
