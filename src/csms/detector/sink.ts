import { createWriteStream, type WriteStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Rng } from '../../util/rng.js';
import type { Alert, AlertSink } from './alert.js';

/**
 * FIFO of alerts bounded at `cap`: when full, the oldest non-critical alert is dropped; a critical alert is never
 * dropped, even past the bound (the risk ATTACKS.md §5 names: an InvalidMessages flood pushing a
 * TamperDetectionActivated out of the queue). Criticals leave first.
 */
export class AlertQueue {
  private crit: Alert[] = [];
  private critHead = 0;
  private normal: Alert[] = [];
  private normalHead = 0;
  dropped = 0;

  constructor(readonly cap: number) {}

  get length(): number { return this.crit.length - this.critHead + this.normal.length - this.normalHead; }

  push(a: Alert): void {
    if (this.length >= this.cap) {
      if (this.normal.length > this.normalHead) { this.normalHead++; this.dropped++; this.compact(); }
      else if (a.severity !== 'critical') { this.dropped++; return; }
    }
    (a.severity === 'critical' ? this.crit : this.normal).push(a);
  }

  /** Puts a batch that could not be delivered back in front, then re-applies the bound. */
  unshift(batch: readonly Alert[]): void {
    const c = batch.filter((a) => a.severity === 'critical');
    const n = batch.filter((a) => a.severity !== 'critical');
    this.crit = [...c, ...this.crit.slice(this.critHead)];
    this.critHead = 0;
    this.normal = [...n, ...this.normal.slice(this.normalHead)];
    this.normalHead = 0;
    while (this.length > this.cap && this.normal.length > this.normalHead) { this.normalHead++; this.dropped++; }
    this.compact();
  }

  /** Up to `max` alerts, criticals first. */
  take(max: number): Alert[] {
    const out: Alert[] = [];
    while (out.length < max && this.critHead < this.crit.length) out.push(this.crit[this.critHead++]!);
    while (out.length < max && this.normalHead < this.normal.length) out.push(this.normal[this.normalHead++]!);
    this.compact();
    return out;
  }

  private compact(): void {
    if (this.critHead > 1024 && this.critHead * 2 > this.crit.length) { this.crit = this.crit.slice(this.critHead); this.critHead = 0; }
    if (this.normalHead > 1024 && this.normalHead * 2 > this.normal.length) { this.normal = this.normal.slice(this.normalHead); this.normalHead = 0; }
    if (this.critHead === this.crit.length && this.critHead > 0) { this.crit = []; this.critHead = 0; }
    if (this.normalHead === this.normal.length && this.normalHead > 0) { this.normal = []; this.normalHead = 0; }
  }
}

/** Appends one JSON line per alert; writes go out as the stream drains, never blocking the CSMS. */
export class JsonlSink implements AlertSink {
  private readonly queue: AlertQueue;
  private readonly stream: WriteStream;
  private waiting = false;
  private failed = false;

  constructor(path: string, cap: number, onError: (message: string) => void) {
    this.queue = new AlertQueue(cap);
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('drain', () => { this.waiting = false; this.write(); });
    this.stream.on('error', (err) => {
      if (this.failed) return;
      this.failed = true;
      onError(`alerts file ${path}: ${err.message}`);
    });
  }

  get dropped(): number { return this.queue.dropped; }

  push(a: Alert): void {
    this.queue.push(a);
    this.write();
  }

  flush(): void { this.write(); }

  private write(): void {
    if (this.waiting || this.failed) return;
    while (this.queue.length > 0) {
      const batch = this.queue.take(256);
      let text = '';
      for (const a of batch) text += `${JSON.stringify(a)}\n`;
      if (!this.stream.write(text)) { this.waiting = true; return; }
    }
  }

  close(): Promise<void> {
    this.waiting = false;
    this.write();
    return new Promise((resolve) => {
      if (this.failed) { resolve(); return; }
      this.stream.end(() => resolve());
    });
  }
}

export interface WebhookOptions {
  url: string;
  cap: number;
  batch: number;
  flushMs: number;
  timeoutMs: number;
  seed: number;
  /** The CSMS clock (ms): retry times are event times like everything else. */
  now: () => number;
  onError: (message: string) => void;
}

/**
 * POSTs alerts as a JSON array, at most `batch` per request and one request in flight, every `flushMs` or as
 * soon as a batch is full. A failed batch goes back to the front of the bounded queue and the next attempt
 * waits an exponential back-off (1 s doubling to 30 s, seeded jitter).
 */
export class WebhookSink implements AlertSink {
  private readonly queue: AlertQueue;
  private readonly url: URL;
  private readonly rng: Rng;
  private inFlight: Promise<void> | null = null;
  private lastFlushMs = -Infinity;
  private retryAtMs = 0;
  private failures = 0;
  private reported = false;
  delivered = 0;

  constructor(private readonly o: WebhookOptions) {
    this.queue = new AlertQueue(o.cap);
    this.url = new URL(o.url);
    this.rng = new Rng(o.seed ^ 0x5eed);
  }

  get dropped(): number { return this.queue.dropped; }

  push(a: Alert): void {
    this.queue.push(a);
    if (this.queue.length >= this.o.batch && this.inFlight === null && this.retryAtMs === 0) this.post();
  }

  flush(nowMs: number): void {
    if (this.inFlight !== null || this.queue.length === 0) return;
    if (this.retryAtMs > 0 ? nowMs < this.retryAtMs : nowMs - this.lastFlushMs < this.o.flushMs) return;
    this.lastFlushMs = nowMs;
    this.post(nowMs);
  }

  private post(nowMs = this.o.now()): void {
    const batch = this.queue.take(this.o.batch);
    if (batch.length === 0) return;
    this.inFlight = this.send(JSON.stringify(batch)).then((ok) => {
      this.inFlight = null;
      if (ok) {
        this.delivered += batch.length;
        this.failures = 0;
        this.retryAtMs = 0;
        return;
      }
      this.queue.unshift(batch);
      this.failures++;
      const base = Math.min(30_000, 1000 * 2 ** Math.min(5, this.failures - 1));
      this.retryAtMs = nowMs + base * (0.5 + this.rng.next() / 2);
    });
  }

  private send(body: string): Promise<boolean> {
    const u = this.url;
    const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok: boolean, why?: string): void => {
        if (done) return;
        done = true;
        if (!ok && !this.reported) { this.reported = true; this.o.onError(`alerts webhook ${u.href}: ${why ?? 'failed'} (retrying)`); }
        if (ok) this.reported = false;
        resolve(ok);
      };
      const r = req(u, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: this.o.timeoutMs,
      }, (res) => {
        res.resume();
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        res.on('end', () => finish(ok, `HTTP ${res.statusCode}`));
        res.on('error', () => finish(false, 'response error'));
      });
      r.on('timeout', () => { r.destroy(); finish(false, 'timeout'); });
      r.on('error', (err) => finish(false, err.message));
      r.end(body);
    });
  }

  /** Tries to deliver what is queued (a few batches, bounded by the request timeout), then gives up. */
  async close(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    for (let i = 0; i < 10 && this.queue.length > 0; i++) {
      this.retryAtMs = 0;
      this.post();
      if (this.inFlight) await this.inFlight;
      if (this.failures > 0) break;
    }
  }
}
