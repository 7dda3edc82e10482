// Child processes of the bench: each in its own process group (detached), so a whole tree (cluster workers,
// generator children) is stopped with one signal; every group still alive is killed when the bench exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { timeWaitCount } from './figures.js';

const live = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pgid, signal); } catch { /* already gone */ }
}

/** Kills every process group the bench started and has not seen end. */
export function killAll(): void {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
  live.clear();
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping child processes\n`);
      killAll();
      process.exit(130);
    });
  }
}

export interface Ended { code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; stdout: string; stderr: string }

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  readonly ended: Promise<Ended>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<Ended>;
}

export interface SpawnOptions {
  cwd: string;
  /** The group is stopped (SIGTERM, then SIGKILL) after this long. */
  timeoutMs: number;
  /** Each stderr line, as it comes (progress, diagnostics). */
  onStderr?: (line: string) => void;
}

/** Starts `node <args>` in its own process group. */
export function spawnNode(args: readonly string[], o: SpawnOptions): Proc {
  hookExit();
  const child = spawn(process.execPath, args, { cwd: o.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  live.add(pid);
  let out = '';
  let err = '';
  let errLine = '';
  let timedOut = false;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    if (err.length > 1_000_000) err = err.slice(-500_000);
    if (!o.onStderr) return;
    errLine += d;
    const lines = errLine.split('\n');
    errLine = lines.pop()!;
    for (const l of lines) o.onStderr(l);
  });
  const ended = new Promise<Ended>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // The leader is gone; whatever it left behind in its group goes too.
      killGroup(pid, 'SIGKILL');
      live.delete(pid);
      resolve({ code, signal, timedOut, stdout: out, stderr: err });
    });
  });
  const stop = (graceMs = 10_000): Promise<Ended> => {
    killGroup(pid, 'SIGTERM');
    const t = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    return ended.finally(() => clearTimeout(t));
  };
  const timer = setTimeout(() => { timedOut = true; void stop(5000); }, o.timeoutMs);
  return { child, pid, stdout: () => out, stderr: () => err, ended, stop };
}

/** Resolves with the first match of `re` in the process's stdout, or rejects if it ends or `timeoutMs` passes first. */
export function waitForOutput(p: Proc, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = p.stdout().match(re);
      if (m) { done(); resolve(m); return true; }
      return false;
    };
    const onData = (): void => { check(); };
    const timer = setTimeout(() => { done(); reject(new Error(`no ${re} in output after ${timeoutMs} ms: ${p.stderr().slice(-500)}`)); }, timeoutMs);
    const done = (): void => { clearTimeout(timer); p.child.stdout!.off('data', onData); };
    p.child.stdout!.on('data', onData);
    void p.ended.then((e) => { if (!check()) { done(); reject(new Error(`exited (${e.signal ?? e.code}) before ${re}: ${e.stderr.slice(-500)}`)); } });
    check();
  });
}

/** Resident memory and CPU time (user + system, and the system part alone) of one process group, from /proc. */
export interface GroupSample { processes: number; rssKiB: number; cpuS: number; sysS: number }

const TICKS = 100; // USER_HZ on Linux
const PAGE_KIB = 4;

/** Per process of group `pgid`: pid -> { rssKiB, cpuS }. */
export function readGroup(pgid: number): Map<number, { rssKiB: number; cpuS: number; sysS: number }> {
  const out = new Map<number, { rssKiB: number; cpuS: number; sysS: number }>();
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return out; }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // After the parenthesised command: state ppid pgrp ... utime(14) stime(15) ... rss(24), 1-based.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) continue;
      out.set(Number(e), { rssKiB: Number(f[21]) * PAGE_KIB, cpuS: (Number(f[11]) + Number(f[12])) / TICKS, sysS: Number(f[12]) / TICKS });
    } catch { /* the process ended while we looked */ }
  }
  return out;
}

/** Samples a process group every `everyMs` until stopped: peak RSS sum, and CPU time summed over every pid seen. */
export class GroupMonitor {
  private peakRss = 0;
  private peakProcs = 0;
  private readonly cpu = new Map<number, number>();
  private readonly sys = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pgid: number, everyMs = 500) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): GroupSample {
    const g = readGroup(this.pgid);
    let rss = 0;
    for (const [pid, s] of g) {
      rss += s.rssKiB;
      this.cpu.set(pid, s.cpuS);
      this.sys.set(pid, s.sysS);
    }
    this.peakRss = Math.max(this.peakRss, rss);
    this.peakProcs = Math.max(this.peakProcs, g.size);
    return { processes: g.size, rssKiB: rss, cpuS: this.cpuS, sysS: this.sysS };
  }

  get cpuS(): number { let n = 0; for (const v of this.cpu.values()) n += v; return n; }
  get sysS(): number { let n = 0; for (const v of this.sys.values()) n += v; return n; }

  /** Peak RSS and process count, total CPU seconds. */
  stop(): GroupSample {
    this.sample();
    clearInterval(this.timer);
    return { processes: this.peakProcs, rssKiB: this.peakRss, cpuS: this.cpuS, sysS: this.sysS };
  }
}

/**
 * Waits until at most `maxTw` TCP sockets are in TIME_WAIT (or `maxMs` passes). The side that closes a connection
 * keeps its port in TIME_WAIT for 60 s, and stations bound to a source address cannot reuse such ports: after a
 * 100,000-connection run the next one would find most of the ~28,000 ports per address taken.
 */
export async function settleTimeWait(maxTw: number, maxMs: number, log: (line: string) => void): Promise<void> {
  const read = (): number | null => { try { return timeWaitCount(readFileSync('/proc/net/sockstat', 'utf8')); } catch { return null; } };
  const t0 = performance.now();
  let tw = read();
  if (tw === null || tw <= maxTw) return;
  log(`  waiting for ${tw} TIME_WAIT sockets to expire (at most ${Math.round(maxMs / 1000)} s)`);
  while (tw !== null && tw > maxTw && performance.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 1000));
    tw = read();
  }
}
