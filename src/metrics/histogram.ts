import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** Largest value tracked: one hour in µs. Anything slower is clamped here (and is a failed test anyway). */
export const HIGHEST_US = 3_600_000_000;

/**
 * Int32 buckets, fixed range, no auto-resize. Measured on Node 20 (5M records, 3 digits): Int32 ~100 ns/record and
 * ~93 KiB; "packed" ~500 ns/record and ~66 KiB once filled; Int16 saturates under load. With one histogram per
 * (metric, action) per process — tens, never per station — Int32 is the lean choice that stays fast. Fixed range so
 * a record never resizes (allocates) on the hot path and every histogram of a run has the same layout, which makes
 * `add` the fast array-wise path.
 */
const BUCKETS = 32;

/** Significant digits: 3 for run-long histograms (0.1%); 2 (1%, ~13 KiB) for the per-second interval ones. */
export type Digits = 2 | 3;

/** The exact side statistics HDR buckets cannot give back: sum (for the mean), min and max. */
export interface HistogramData {
  /** HDR V2 compressed base64 (readable by any HdrHistogram implementation, e.g. the online plotter). */
  hdr: string;
  count: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
}

/**
 * A latency histogram in integer microseconds over [0, 1 h], 3 significant digits by default: a thin wrapper over
 * hdr-histogram-js that also keeps the exact sum, min and max (k6 reports an exact avg/min/max; HDR alone would
 * only give bucket-equivalent values).
 */
export class LatencyHistogram {
  readonly digits: Digits;
  private readonly hdr: Histogram;
  private sum = 0;
  private min = Infinity;
  private max = 0;

  constructor(digits: Digits = 3) {
    this.digits = digits;
    this.hdr = build({
      bitBucketSize: BUCKETS,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: digits,
    });
  }

  /**
   * Records one value. Clamps to [0, HIGHEST_US] and rounds to an integer; NaN counts as 0. Never throws and never
   * allocates: an out-of-range or broken sample from a producer must not take down the hot path.
   */
  record(us: number): void {
    const v = us > HIGHEST_US ? HIGHEST_US : us > 0 ? Math.round(us) : 0;
    this.hdr.recordValue(v);
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get count(): number { return this.hdr.totalCount; }
  get sumUs(): number { return this.sum; }
  /** Exact minimum; 0 when empty. */
  get minUs(): number { return this.count === 0 ? 0 : this.min; }
  /** Exact maximum; 0 when empty. */
  get maxUs(): number { return this.max; }
  /** Exact mean; 0 when empty. */
  get meanUs(): number { return this.count === 0 ? 0 : this.sum / this.count; }

  /**
   * The value at percentile `p` (0..100) in µs, within the histogram's resolution; 0 when empty. Clamped into
   * [min, max] so that p(100) is the exact max rather than the top of its bucket.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const v = this.hdr.getValueAtPercentile(p);
    return v > this.max ? this.max : v < this.min ? this.min : v;
  }

  reset(): void {
    this.hdr.reset();
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }

  /** Adds every sample of `other` (same digits) into this one: exact, as if one histogram had seen both streams. */
  add(other: LatencyHistogram): void {
    if (other.count === 0) return;
    this.hdr.add(other.hdr);
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The HDR part only, as compressed base64 (HdrHistogram V2 format). */
  encode(): string {
    return encodeIntoCompressedBase64(this.hdr);
  }

  /**
   * Decodes an HDR compressed base64 string. Sum, min and max are rebuilt from the buckets (approximate within the
   * resolution); use `fromData` to restore them exactly.
   */
  static decode(text: string, digits: Digits = 3): LatencyHistogram {
    const h = new LatencyHistogram(digits);
    const decoded = h.addEncoded(text);
    if (decoded !== undefined) {
      h.sum = Math.round(decoded.mean * decoded.totalCount);
      h.min = h.hdr.getValueAtPercentile(0);
      h.max = Math.min(decoded.maxValue, HIGHEST_US);
    }
    return h;
  }

  /** Adds the buckets of an encoded histogram; sum/min/max are left to the caller. */
  private addEncoded(text: string): Histogram | undefined {
    const decoded = decodeFromCompressedBase64(text, BUCKETS, false, HIGHEST_US);
    if (decoded.totalCount === 0) return undefined;
    this.hdr.add(decoded);
    return decoded;
  }

  toData(): HistogramData {
    return { hdr: this.encode(), count: this.count, sumUs: this.sum, minUs: this.minUs, maxUs: this.max };
  }

  /** Restores a histogram with its exact sum, min and max. */
  static fromData(data: HistogramData, digits: Digits = 3): LatencyHistogram {
    // Not via decode(): its bucket-based mean walks every bucket (~10 ms for a full 3-digit histogram), and the
    // exact sum is at hand anyway.
    const h = new LatencyHistogram(digits);
    h.addEncoded(data.hdr);
    if (h.count !== data.count) {
      throw new Error(`histogram data is inconsistent: ${h.count} samples encoded, ${data.count} declared`);
    }
    if (h.count > 0) {
      h.sum = data.sumUs;
      h.min = data.minUs;
      h.max = data.maxUs;
    }
    return h;
  }
}
