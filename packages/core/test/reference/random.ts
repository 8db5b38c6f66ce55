/** A small seeded PRNG (mulberry32) so every random network and input is reproducible. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }
  /** n values uniform in [low, high), rounded to float32 (what a tfjs tensor holds). */
  floats(n: number, low: number, high: number): Float32Array {
    return Float32Array.from({ length: n }, () => this.uniform(low, high));
  }
}
