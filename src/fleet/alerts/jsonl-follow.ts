import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Alert } from '../../detection/types.js';
import { alertsFromPayload, type AlertFormat, type AlertMapping } from './mapping.js';
import type { SourceCounts } from './webhook.js';

export interface JsonlFollowOptions {
  mappings: Record<AlertFormat, AlertMapping>;
  sink: (alerts: Alert[]) => void;
  /** How often the file is checked (default 250 ms). Polling, not fs.watch: it sees rotation and works on any fs. */
  intervalMs?: number;
  /** Read what is already in the file (default true); false starts at its current end, like `tail -f`. */
  fromStart?: boolean;
  now?: () => number;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * Follows a JSON Lines alert file as it grows, like `tail -F`: a last line without its newline waits for the
 * rest; a file that shrinks was truncated and is read again from the start; a new file under the same name
 * (rotation) is read from the start after the old one has been drained. A file that does not exist yet is waited for.
 */
export class JsonlFollower {
  readonly counts: SourceCounts & { lines: number; truncations: number; rotations: number } = {
    accepted: 0, rejected: 0, lines: 0, truncations: 0, rotations: 0,
  };
  /** The last read error other than a missing file. */
  lastError: string | null = null;
  private fh: FileHandle | null = null;
  private ino = -1;
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private opened = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(readonly path: string, private readonly o: JsonlFollowOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Starts checking the file every intervalMs. */
  start(): this {
    this.schedule(0);
    return this;
  }

  /** One pass over whatever the file gained; passes never overlap. */
  poll(): Promise<void> {
    this.running = this.running.then(() => this.pass()).catch((e: unknown) => { this.lastError = (e as Error).message; });
    return this.running;
  }

  /** Reads what is left (a final line without newline included), then stops and closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.poll();
      this.flushPartial();
      await this.fh?.close().catch(() => undefined);
      this.fh = null;
    })();
    return this.closing;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().then(() => this.schedule(this.o.intervalMs ?? 250));
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    let st;
    try {
      st = await stat(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // Moved away or deleted: finish the old file, then wait for a new one.
      if (this.fh) await this.switchFile();
      return;
    }
    if (this.fh && st.ino !== this.ino) {
      this.counts.rotations++;
      await this.switchFile();
    }
    if (!this.fh) {
      this.fh = await open(this.path, 'r');
      const fst = await this.fh.stat();
      this.ino = fst.ino;
      this.offset = !this.opened && this.o.fromStart === false ? fst.size : 0;
      this.opened = true;
    } else if (st.size < this.offset) {
      this.counts.truncations++;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
    }
    await this.readToEnd();
  }

  /** Drains the file we hold (it may have grown before it was replaced) and lets go of it. */
  private async switchFile(): Promise<void> {
    await this.readToEnd();
    this.flushPartial();
    await this.fh!.close().catch(() => undefined);
    this.fh = null;
  }

  private async readToEnd(): Promise<void> {
    const fh = this.fh!;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.consume(buf.subarray(0, bytesRead));
    }
  }

  /** Splits on newline bytes, so a multi-byte character cut between reads is decoded whole. */
  private consume(chunk: Buffer): void {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : Buffer.from(chunk);
    const last = data.lastIndexOf(NEWLINE);
    if (last < 0) { this.partial = data; return; }
    this.partial = data.subarray(last + 1);
    for (const line of data.subarray(0, last).toString('utf8').split('\n')) this.line(line);
  }

  /** At the end: a last line the writer never terminated still counts when it is complete JSON. */
  private flushPartial(): void {
    if (this.partial.length === 0) return;
    const line = this.partial.toString('utf8');
    this.partial = Buffer.alloc(0);
    this.line(line);
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    this.counts.lines++;
    let body: unknown;
    try {
      body = JSON.parse(line);
    } catch {
      this.counts.rejected++;
      this.lastError = `line ${this.counts.lines}: not JSON`;
      return;
    }
    const r = alertsFromPayload(body, this.o.mappings, this.now());
    this.counts.accepted += r.alerts.length;
    this.counts.rejected += r.errors.length;
    if (r.errors.length > 0) this.lastError = r.errors[0]!;
    if (r.alerts.length > 0) this.o.sink(r.alerts);
  }
}
