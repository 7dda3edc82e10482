import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../detection/types.js';
import { alertsFromPayload, parseAlertBody, type AlertFormat, type AlertMapping } from './mapping.js';

export interface SourceCounts {
  /** Alerts mapped and handed on. */
  accepted: number;
  /** Alerts (or whole bodies) that could not be read. */
  rejected: number;
}

export interface AlertWebhookOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback unless told otherwise (a CSMS in a container may need 0.0.0.0). */
  host?: string;
  mappings: Record<AlertFormat, AlertMapping>;
  sink: (alerts: Alert[]) => void;
  now?: () => number;
  /** Larger bodies get 413 (default 8 MiB). */
  maxBodyBytes?: number;
}

const MAX_ERRORS_SHOWN = 10;

/**
 * `--alerts-listen PORT`: an HTTP endpoint taking POSTed alerts — the generic alert JSON (one object, an array or
 * JSON Lines) or an Alertmanager webhook payload — answering 202 with what it accepted, 400 with a reason for a
 * body it cannot read. GET answers with the counts (a health check for the CSMS side).
 */
export class AlertWebhook {
  readonly counts: SourceCounts & { requests: number; badRequests: number } = { accepted: 0, rejected: 0, requests: 0, badRequests: 0 };
  private readonly server: Server;
  private readonly maxBody: number;
  private readonly now: () => number;
  private closing = false;

  private constructor(private readonly o: AlertWebhookOptions) {
    this.maxBody = o.maxBodyBytes ?? 8 * 1024 * 1024;
    this.now = o.now ?? Date.now;
    this.server = createServer((req, res) => this.handle(req, res));
    // Alert senders hold connections open between notifications; they must not delay close().
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening; resolves once bound. */
  static async listen(o: AlertWebhookOptions): Promise<AlertWebhook> {
    const w = new AlertWebhook(o);
    await new Promise<void>((resolve, reject) => {
      w.server.once('error', reject);
      w.server.listen(o.port, o.host ?? '127.0.0.1', () => {
        w.server.off('error', reject);
        resolve();
      });
    });
    return w;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/`;
  }

  /** Stops accepting, drops idle keep-alive connections, lets requests in flight finish; resolves when closed. */
  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    // Requests in flight at close() finish, then their connections end instead of idling.
    if (this.closing) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(text);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' || req.method === 'HEAD') { this.reply(res, 200, this.counts); return; }
    if (req.method !== 'POST' && req.method !== 'PUT') {
      res.setHeader('allow', 'GET, POST, PUT');
      this.reply(res, 405, { error: `method ${req.method} not allowed: POST alerts` });
      return;
    }
    this.counts.requests++;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > this.maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', () => { /* a sender that hangs up mid-body: nothing to answer */ });
    req.on('end', () => {
      if (tooLarge) {
        this.counts.badRequests++;
        this.reply(res, 413, { error: `body larger than ${this.maxBody} bytes` });
        return;
      }
      this.ingest(Buffer.concat(chunks).toString('utf8'), res);
    });
  }

  private ingest(body: string, res: ServerResponse): void {
    const parsed = parseAlertBody(body);
    if (parsed.error !== undefined) {
      this.counts.badRequests++;
      this.counts.rejected++;
      this.reply(res, 400, { error: parsed.error });
      return;
    }
    const now = this.now();
    const alerts: Alert[] = [];
    const errors: string[] = [];
    for (const p of parsed.payloads) {
      const r = alertsFromPayload(p, this.o.mappings, now);
      alerts.push(...r.alerts);
      errors.push(...r.errors);
    }
    this.counts.accepted += alerts.length;
    this.counts.rejected += errors.length;
    if (alerts.length === 0 && errors.length > 0) {
      this.counts.badRequests++;
      this.reply(res, 400, { error: 'no readable alert', errors: errors.slice(0, MAX_ERRORS_SHOWN) });
      return;
    }
    if (alerts.length > 0) this.o.sink(alerts);
    this.reply(res, 202, { accepted: alerts.length, rejected: errors.length, errors: errors.slice(0, MAX_ERRORS_SHOWN) });
  }
}
