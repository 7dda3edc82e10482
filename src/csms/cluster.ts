import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { ExitCode, ToolError } from '../util/errors.js';
import { startCsms, type Csms } from './server.js';
import type { CsmsLog, CsmsLogLevel, CsmsOptions } from './options.js';
import { StatsCounters, type CsmsStats } from './stats.js';

/**
 * The embedded CSMS over several processes (node:cluster). Every worker runs `startCsms` on the same port; the
 * primary accepts and hands connections out round-robin, so one fleet can exceed what one process holds
 * (20,000 open files per process here) and use every core. Workers share nothing: a station's state lives in the
 * worker its connection landed on, so a reconnect may land elsewhere (counted there as a new station; duplicate
 * connections across workers are not detected).
 */
export interface CsmsClusterOptions extends Pick<CsmsOptions,
  'host' | 'port' | 'protocols' | 'validation' | 'callTimeoutMs' | 'security' | 'tls' | 'spec' | 'bootRetryInterval' | 'seed'
  | 'tickMs' | 'staleAfterIntervals'> {
  /** Worker processes, at least 1. */
  workers: number;
  /** Receives the workers' log lines (prefixed `w<n>: `); debug lines are only forwarded with `logDebug`. */
  log?: CsmsLog;
  logDebug?: boolean;
  /** How often each worker pushes its counters to the primary (ms). Default 1000. */
  statsEveryMs?: number;
  /** Startup limit for all workers to listen (ms). Default 30 s: many workers start slowly on few cores. */
  startTimeoutMs?: number;
  /** After `close()` asks, workers still alive this long are killed (ms). Default 5 s. */
  closeTimeoutMs?: number;
}

/** How the workers ended: `failed` counts workers that exited with an error code without being asked to stop. */
export interface CsmsClusterExit { requested: boolean; failed: number }

/** The embedded CSMS running over a cluster of worker processes. */
export interface CsmsCluster {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  /** Counters summed over the workers, as last pushed (at most `statsEveryMs` old). */
  stats(): CsmsStats;
  /** Asks every live worker for its counters now and returns the sum. */
  refreshStats(): Promise<CsmsStats>;
  /** Starts the scenario's command schedule in every worker; each picks its share among its own stations. */
  startSchedule(runStartMs?: number): void;
  /** Stops every worker (closing its connections) and resolves with the final counters. */
  close(): Promise<CsmsStats>;
  /** Resolves once every worker has exited, whoever stopped them. */
  readonly exited: Promise<CsmsClusterExit>;
}

type WorkerOptions = Omit<CsmsClusterOptions, 'workers' | 'log' | 'startTimeoutMs' | 'closeTimeoutMs'> & { forwardLog: boolean; forwardDebug: boolean };

type ToWorker =
  | { csmsCluster: 'start'; options: WorkerOptions }
  | { csmsCluster: 'stats'; seq: number }
  | { csmsCluster: 'schedule'; runStartMs: number }
  | { csmsCluster: 'close' };

type FromWorker =
  | { csmsCluster: 'hello' }
  | { csmsCluster: 'ready'; url: string; port: number }
  | { csmsCluster: 'failed'; message: string; code: string; exitCode: number }
  | { csmsCluster: 'stats'; stats: CsmsStats; seq?: number; final?: boolean }
  | { csmsCluster: 'log'; level: CsmsLogLevel; message: string };

const WORKER_ENV = 'CHARGESTORM_CSMS_WORKER';
const THIS_FILE = fileURLToPath(import.meta.url);

/** Adds counters field by field (numbers summed, nested records merged); the shape of `CsmsStats`. */
export function mergeStats(parts: readonly CsmsStats[]): CsmsStats {
  const total = new StatsCounters().snapshot(0);
  for (const p of parts) addInto(total as unknown as Record<string, unknown>, p as unknown as Record<string, unknown>);
  return total;
}

function addInto(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (typeof v === 'number') into[k] = ((into[k] as number | undefined) ?? 0) + v;
    else if (v !== null && typeof v === 'object') {
      let sub = into[k] as Record<string, unknown> | undefined;
      if (sub === undefined || sub === null || typeof sub !== 'object') into[k] = sub = {};
      addInto(sub, v as Record<string, unknown>);
    }
  }
}

/** Starts `workers` CSMS processes sharing one listening port; resolves once all of them listen. */
export async function startCsmsCluster(options: CsmsClusterOptions): Promise<CsmsCluster> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw new ToolError('E_CSMS_CONFIG', `a CSMS cluster needs at least one worker, got ${options.workers}`, ExitCode.invalidInput);
  }
  if (!cluster.isPrimary) throw new ToolError('E_CSMS_CONFIG', 'a CSMS cluster can only be started from a primary process', ExitCode.runtimeError);
  const c = new ClusterPrimary(options);
  await c.start();
  return c;
}

class ClusterPrimary implements CsmsCluster {
  readonly workers: number;
  private readonly opts: CsmsClusterOptions;
  private readonly live = new Map<number, Worker>();
  private readonly latest = new Map<number, CsmsStats>();
  private readonly names = new Map<number, string>();
  private readonly waiting = new Map<number, { left: Set<number>; resolve: () => void }>();
  private seq = 0;
  private closing: Promise<CsmsStats> | null = null;
  private requested = false;
  private failed = 0;
  private resolveExited!: (e: CsmsClusterExit) => void;
  readonly exited: Promise<CsmsClusterExit> = new Promise((r) => { this.resolveExited = r; });
  url = '';
  host = '';
  port = 0;

  constructor(opts: CsmsClusterOptions) {
    this.opts = opts;
    this.workers = opts.workers;
  }

  async start(): Promise<void> {
    const o = this.opts;
    const wo: WorkerOptions = {
      forwardLog: o.log !== undefined, forwardDebug: o.logDebug === true, statsEveryMs: o.statsEveryMs ?? 1000,
      host: o.host ?? '127.0.0.1', port: o.port ?? 0,
      ...pick(o, ['protocols', 'validation', 'callTimeoutMs', 'security', 'tls', 'spec', 'bootRetryInterval', 'seed', 'tickMs', 'staleAfterIntervals']),
    };
    cluster.setupPrimary({ exec: THIS_FILE, args: [] });
    const ready: Promise<void>[] = [];
    for (let i = 0; i < o.workers; i++) {
      const w = cluster.fork({ [WORKER_ENV]: '1' });
      this.live.set(w.id, w);
      this.names.set(w.id, `w${i + 1}`);
      ready.push(this.watch(w, wo));
    }
    const timeoutMs = o.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ToolError('E_CSMS_LISTEN', `CSMS workers not listening after ${timeoutMs} ms`, ExitCode.runtimeError)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(ready), timeout]);
    } catch (err) {
      this.requested = true;
      for (const w of this.live.values()) w.process.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Wires one worker; resolves when it listens, rejects if it fails or exits first. */
  private watch(w: Worker, wo: WorkerOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let listening = false;
      w.on('message', (m: FromWorker) => {
        if (m === null || typeof m !== 'object' || !('csmsCluster' in m)) return;
        switch (m.csmsCluster) {
          // Sent once the worker listens for messages: anything sent before that (e.g. on 'online') is lost.
          case 'hello':
            sendTo(w, { csmsCluster: 'start', options: wo });
            return;
          case 'ready':
            listening = true;
            this.url = m.url;
            this.port = m.port;
            this.host = this.opts.host ?? '127.0.0.1';
            resolve();
            return;
          case 'failed':
            reject(new ToolError(m.code, m.message, m.exitCode));
            return;
          case 'stats':
            this.latest.set(w.id, m.stats);
            if (m.seq !== undefined) this.answered(m.seq, w.id);
            return;
          case 'log':
            this.opts.log?.(m.level, `${this.names.get(w.id)}: ${m.message}`);
        }
      });
      w.on('error', () => { /* IPC errors after an exit; 'exit' reports the worker */ });
      w.on('exit', (code, signal) => {
        this.live.delete(w.id);
        for (const [seq] of this.waiting) this.answered(seq, w.id);
        if (!listening) reject(new ToolError('E_CSMS_LISTEN', `CSMS worker exited before listening (${signal ?? `code ${code}`})`, ExitCode.runtimeError));
        else if (!this.requested && code !== 0 && signal === null) {
          this.failed++;
          this.opts.log?.('warn', `${this.names.get(w.id)} exited with code ${code}`);
        }
        if (this.live.size === 0) this.resolveExited({ requested: this.requested, failed: this.failed });
      });
    });
  }

  private answered(seq: number, id: number): void {
    const q = this.waiting.get(seq);
    if (!q) return;
    q.left.delete(id);
    if (q.left.size === 0) { this.waiting.delete(seq); q.resolve(); }
  }

  stats(): CsmsStats { return mergeStats([...this.latest.values()]); }

  async refreshStats(): Promise<CsmsStats> {
    const seq = ++this.seq;
    const left = new Set(this.live.keys());
    if (left.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.waiting.delete(seq); resolve(); }, 2000);
        this.waiting.set(seq, { left, resolve: () => { clearTimeout(timer); resolve(); } });
        for (const w of this.live.values()) sendTo(w, { csmsCluster: 'stats', seq });
      });
    }
    return this.stats();
  }

  startSchedule(runStartMs: number = Date.now()): void {
    for (const w of this.live.values()) sendTo(w, { csmsCluster: 'schedule', runStartMs });
  }

  close(): Promise<CsmsStats> {
    if (this.closing) return this.closing;
    this.requested = true;
    this.closing = (async () => {
      for (const w of this.live.values()) sendTo(w, { csmsCluster: 'close' });
      const timer = setTimeout(() => { for (const w of this.live.values()) w.process.kill('SIGKILL'); }, this.opts.closeTimeoutMs ?? 5000);
      if (this.live.size > 0) await this.exited;
      clearTimeout(timer);
      return this.stats();
    })();
    return this.closing;
  }
}

function sendTo(w: Worker, m: ToWorker): void {
  if (w.isConnected()) w.send(m, undefined, () => { /* the worker may be gone; its 'exit' reports it */ });
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

// ------------------------------------------------------------------------------------------------ worker side

function send(m: FromWorker, then?: () => void): void {
  if (process.connected) process.send!(m, undefined, {}, () => then?.());
  else then?.();
}

function runWorker(): void {
  let csms: Csms | null = null;
  let pusher: NodeJS.Timeout | null = null;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    if (pusher) clearInterval(pusher);
    void (async () => {
      if (csms) {
        await csms.close();
        // Terminated sockets report 'close' on later ticks; let the counters see them before the last push.
        for (let i = 0; i < 100 && csms.stats().connected > 0; i++) await new Promise((r) => setTimeout(r, 10));
        send({ csmsCluster: 'stats', stats: csms.stats(), final: true }, () => process.exit(0));
      } else process.exit(0);
    })();
  };
  // Ctrl-C reaches the whole process group: the primary decides when workers stop (a `run` may still be draining).
  process.on('SIGINT', () => {});
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', (m: ToWorker) => {
    if (m === null || typeof m !== 'object' || !('csmsCluster' in m)) return;
    switch (m.csmsCluster) {
      case 'start': void start(m.options); return;
      case 'stats': if (csms) send({ csmsCluster: 'stats', stats: csms.stats(), seq: m.seq }); else send({ csmsCluster: 'stats', stats: mergeStats([]), seq: m.seq }); return;
      case 'schedule': csms?.startSchedule(m.runStartMs); return;
      case 'close': stop();
    }
  });
  send({ csmsCluster: 'hello' });

  async function start(o: WorkerOptions): Promise<void> {
    const { forwardLog, forwardDebug, statsEveryMs, ...csmsOptions } = o;
    const log: CsmsLog = (level, message) => {
      if (forwardLog && (level !== 'debug' || forwardDebug)) send({ csmsCluster: 'log', level, message });
    };
    try {
      csms = await startCsms({ ...csmsOptions, log });
    } catch (err) {
      const e = err as ToolError;
      send({ csmsCluster: 'failed', message: e.message, code: e.code ?? 'E_CSMS_LISTEN', exitCode: e.exitCode ?? ExitCode.runtimeError },
        () => process.exit(ExitCode.runtimeError));
      return;
    }
    if (stopping) { await csms.close(); process.exit(0); }
    send({ csmsCluster: 'ready', url: csms.url, port: csms.port });
    pusher = setInterval(() => send({ csmsCluster: 'stats', stats: csms!.stats() }), statsEveryMs ?? 1000);
  }
}

if (cluster.isWorker && process.env[WORKER_ENV] === '1' && process.argv[1] === THIS_FILE) runWorker();
