import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Alert } from '../../detection/types.js';
import { alertsFromPayload, parseAlertBody, type AlertFormat, type AlertMapping } from './mapping.js';
import type { SourceCounts } from './webhook.js';

export interface AlertPollOptions {
  mappings: Record<AlertFormat, AlertMapping>;
  sink: (alerts: Alert[]) => void;
  /** Default 5 s. */
  intervalMs?: number;
  /** Per request (default: the interval, at most 10 s). */
  timeoutMs?: number;
  /** E.g. an Authorization header for the CSMS's alert API. */
  headers?: Record<string, string>;
  now?: () => number;
  /** Largest body read (default 32 MiB). */
  maxBodyBytes?: number;
}

/**
 * Polls an HTTP(S) URL for alerts every intervalMs: a JSON array (generic alerts, or Alertmanager's
 * `GET /api/v2/alerts`), a single object, an Alertmanager webhook-shaped object, or JSON Lines. Endpoints return
 * the same alerts again and again, so alerts already seen (by alertId) are dropped here.
 */
export class AlertPoller {
  readonly counts: SourceCounts & { polls: number; failures: number; duplicates: number } = {
    accepted: 0, rejected: 0, polls: 0, failures: 0, duplicates: 0,
  };
  lastError: string | null = null;
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly url: URL;
  private readonly now: () => number;

  constructor(url: string, private readonly o: AlertPollOptions) {
    this.url = new URL(url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new Error(`alert poll URL must be http(s): ${url}`);
    this.now = o.now ?? Date.now;
  }

  start(): this {
    this.schedule(0);
    return this;
  }

  /** One GET; polls never overlap. Failures are counted and kept in lastError, never thrown. */
  pollOnce(): Promise<void> {
    this.running = this.running.then(() => this.fetchAndIngest());
    return this.running;
  }

  /** Stops polling after one last poll (alerts raised at the very end of a run still count). Idempotent. */
  close(opts: { finalPoll?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (opts.finalPoll ?? true) await this.pollOnce();
      else await this.running;
    })();
    return this.closing;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollOnce().then(() => this.schedule(this.o.intervalMs ?? 5_000));
    }, ms);
    this.timer.unref();
  }

  private async fetchAndIngest(): Promise<void> {
    this.counts.polls++;
    let body: string;
    try {
      body = await this.get();
    } catch (e) {
      this.counts.failures++;
      this.lastError = (e as Error).message;
      return;
    }
    if (body.trim() === '') return;
    const parsed = parseAlertBody(body);
    if (parsed.error !== undefined) {
      this.counts.failures++;
      this.lastError = parsed.error;
      return;
    }
    const now = this.now();
    const fresh: Alert[] = [];
    for (const p of parsed.payloads) {
      const r = alertsFromPayload(p, this.o.mappings, now);
      this.counts.rejected += r.errors.length;
      if (r.errors.length > 0) this.lastError = r.errors[0]!;
      for (const a of r.alerts) {
        if (this.seen.has(a.alertId)) { this.counts.duplicates++; continue; }
        this.seen.add(a.alertId);
        fresh.push(a);
      }
    }
    this.counts.accepted += fresh.length;
    if (fresh.length > 0) this.o.sink(fresh);
  }

  private get(): Promise<string> {
    const timeout = this.o.timeoutMs ?? Math.min(this.o.intervalMs ?? 5_000, 10_000);
    const max = this.o.maxBodyBytes ?? 32 * 1024 * 1024;
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      // agent: false — one connection per poll, closed after it: nothing left open between polls or after close().
      const req = request(this.url, { method: 'GET', agent: false, headers: { accept: 'application/json', ...this.o.headers } }, (res: IncomingMessage) => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
          res.resume();
          reject(new Error(`GET ${this.url.href}: HTTP ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) { req.destroy(new Error(`GET ${this.url.href}: body larger than ${max} bytes`)); return; }
          chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      });
      req.setTimeout(timeout, () => req.destroy(new Error(`GET ${this.url.href}: no answer in ${timeout} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}
