// The I/O side of a measurement: runs the ceiling, then the embedded CSMS and a chargestorm run against it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { csmsPeakConnected, parseCeiling, type CeilingResult, type SummaryLike } from './figures.js';
import { ceilingArgv, csmsArgv, rowsFor, runArgv, type ChargestormOutcome, type Outcome, type Plan } from './plans.js';
import { GroupMonitor, settleTimeWait, spawnNode, waitForOutput } from './procs.js';
import type { Row } from './table.js';

export interface Context {
  /** Repository root: the cwd of every child. */
  root: string;
  ceiling: string;
  log(line: string): void;
  verbose: boolean;
}

export interface MeasurementResult {
  plan: Plan;
  rows: Row[];
  ceiling: Outcome<CeilingResult & { cpuS: number; sysS: number; wallS: number }>;
  chargestorm: Outcome<Omit<ChargestormOutcome, 'summary'> & { summary: Record<string, unknown> }>;
  commands: string[][];
  /** 1/5/15-minute load average when the measurement began: other work on the machine skews every figure. */
  loadavg: number[];
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 300);

/** Runs one measurement: the ceiling first, then chargestorm, one after the other (they share 2 cores). */
export async function measure(plan: Plan, ctx: Context): Promise<MeasurementResult> {
  const commands: string[][] = [];
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  // Ports in TIME_WAIT from the previous run would crowd the source ports this one binds (see settleTimeWait).
  await settleTimeWait(twBudget(plan), 70_000, ctx.log);
  const ceil = await runCeiling(plan, ctx, commands).then((v) => ({ ok: true as const, value: v }), (e) => ({ ok: false as const, error: errText(e) }));
  ctx.log(ceil.ok ? `  ceiling: ${JSON.stringify(ceil.value)}` : `  ceiling failed: ${ceil.error}`);
  if (ceil.ok && ceil.value.cpuS === 0) ctx.log('  (no CPU figures: /proc not readable)');
  await pause(2000);
  await settleTimeWait(twBudget(plan), 70_000, ctx.log);
  const cs = await runChargestorm(plan, ctx, commands).then((v) => ({ ok: true as const, value: v }), (e) => ({ ok: false as const, error: errText(e) }));
  ctx.log(cs.ok
    ? `  chargestorm: ${cs.value.wallS.toFixed(1)} s, generator ${cs.value.generator.processes} proc(s) peak RSS ${Math.round(cs.value.generator.rssKiB / 1024)} MiB, `
      + `CPU ${cs.value.generator.cpuS.toFixed(1)} s (${cs.value.generator.sysS?.toFixed(1)} s system); `
      + `CSMS ${cs.value.csms.processes} proc(s) CPU ${cs.value.csms.cpuS.toFixed(1)} s (${cs.value.csms.sysS?.toFixed(1)} s system)`
    : `  chargestorm failed: ${cs.error}`);
  if (ceil.ok && cs.ok && plan.name.startsWith('calls')) {
    // Whole-process CPU (startup and connects included) per call: rough, but insensitive to other load.
    const csCalls = cs.value.summary.calls?.count ?? 0;
    const ceilTrips = ceil.value.roundTripsPerS * plan.ceiling.seconds;
    if (csCalls > 0 && ceilTrips > 0) {
      ctx.log(`  CPU per call, startup included: chargestorm ${Math.round(((cs.value.generator.cpuS + cs.value.csms.cpuS) * 1e6) / csCalls)} µs `
        + `(generator ${Math.round((cs.value.generator.cpuS * 1e6) / csCalls)}, CSMS ${Math.round((cs.value.csms.cpuS * 1e6) / csCalls)}); `
        + `ceiling ${Math.round((ceil.value.cpuS * 1e6) / ceilTrips)} µs per round trip`);
    }
  }
  const rows = rowsFor(plan, cs, ceil);
  return {
    plan, rows, ceiling: ceil, commands, loadavg: load,
    chargestorm: cs.ok ? { ok: true, value: { ...cs.value, summary: cs.value.summary as Record<string, unknown> } } : cs,
  };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** TIME_WAIT sockets a run can live with: what is left of ~28,000 ports on each of 8 source addresses. */
const twBudget = (plan: Plan): number => Math.max(10_000, 8 * 28_000 - 2 * plan.stations);

async function runCeiling(plan: Plan, ctx: Context, commands: string[][]): Promise<CeilingResult & { cpuS: number; sysS: number; wallS: number }> {
  const argv = ceilingArgv(ctx.ceiling, plan.ceiling);
  commands.push(['node', ...argv]);
  ctx.log(`  $ node ${argv.join(' ')}`);
  const t0 = performance.now();
  const p = spawnNode(argv, { cwd: ctx.root, timeoutMs: plan.ceilingTimeoutMs, ...passThrough(ctx, 'ceiling') });
  const mon = new GroupMonitor(p.pid, 500);
  const e = await p.ended;
  const use = mon.stop();
  if (e.timedOut) throw new Error(`timed out after ${plan.ceilingTimeoutMs / 1000} s`);
  if (e.code !== 0) throw new Error(`exited ${e.signal ?? e.code}: ${e.stderr.trim().split('\n').slice(-3).join(' ')}`);
  // CPU seconds of all its processes (client and server, connect phase included): a load-independent cost.
  return { ...parseCeiling(e.stdout), cpuS: use.cpuS, sysS: use.sysS, wallS: (performance.now() - t0) / 1000 };
}

async function runChargestorm(plan: Plan, ctx: Context, commands: string[][]): Promise<ChargestormOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'chargestorm-bench-'));
  const summaryFile = join(dir, `${plan.name}.json`);
  const cArgv = csmsArgv(plan);
  commands.push(['node', ...cArgv]);
  ctx.log(`  $ node ${cArgv.join(' ')}`);
  let csmsPeak: number | null = null;
  const csms = spawnNode(cArgv, {
    cwd: ctx.root, timeoutMs: plan.runTimeoutMs + 60_000,
    onStderr: (line) => {
      const n = csmsPeakConnected(line);
      if (n !== null) csmsPeak = Math.max(csmsPeak ?? 0, n);
      else if (ctx.verbose) ctx.log(`  [csms] ${line}`);
    },
  });
  try {
    const m = await waitForOutput(csms, /listening on (ws:\/\/[^/\s]+)/, 30_000);
    const rArgv = runArgv(plan, `${m[1]}/ocpp`, summaryFile);
    commands.push(['node', ...rArgv]);
    ctx.log(`  $ node ${rArgv.join(' ')}`);
    const csmsMon = new GroupMonitor(csms.pid, 1000);
    const t0 = performance.now();
    const run = spawnNode(rArgv, { cwd: ctx.root, timeoutMs: plan.runTimeoutMs, ...passThrough(ctx, 'run') });
    const runMon = new GroupMonitor(run.pid, 500);
    const e = await run.ended;
    const wallS = (performance.now() - t0) / 1000;
    const generator = runMon.stop();
    const csmsUse = csmsMon.stop();
    if (e.timedOut) throw new Error(`run timed out after ${plan.runTimeoutMs / 1000} s`);
    // 0 = completed; 99 = a threshold failed (the figures are still valid).
    if (e.code !== 0 && e.code !== 99) throw new Error(`run exited ${e.signal ?? e.code}: ${e.stderr.trim().split('\n').slice(-4).join(' ')}`);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as SummaryLike;
    return { summary, generator, csms: csmsUse, csmsPeakConnected: csmsPeak, wallS };
  } finally {
    const end = await csms.stop();
    if (!end.timedOut && end.code !== 0 && end.signal === null) ctx.log(`  csms exited ${end.code}: ${end.stderr.trim().split('\n').slice(-2).join(' ')}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

function passThrough(ctx: Context, tag: string): { onStderr?: (line: string) => void } {
  return ctx.verbose ? { onStderr: (line) => ctx.log(`  [${tag}] ${line}`) } : {};
}
