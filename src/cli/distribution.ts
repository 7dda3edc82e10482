import { isIP } from 'node:net';
import { ExitCode, ToolError } from '../util/errors.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import { planSize, type ShardSpec } from '../fleet/plan.js';
import { intOption } from './output.js';
import { parsePortRange } from '../scenario/sections/general.js';

/** Options that decide where and when this machine's stations run. */
export interface DistributionOptions {
  procs?: string;
  shard?: string;
  executionSegment?: string;
  startAt?: string;
  localIps?: string;
  localPorts?: string;
}

export interface Distribution {
  spec: ScenarioSpec;
  shard: ShardSpec;
  processes?: number;
  startAtMs?: number;
}

const bad = (msg: string): ToolError => new ToolError('E_BAD_OPTION', msg, ExitCode.invalidInput);

// Ports per (source address, destination) are ~28k here: past this many loopback stations, rotate sources.
const PORTS_PER_SOURCE = 20_000;

export function distributionOptions(o: DistributionOptions, spec: ScenarioSpec): Distribution {
  if (o.shard !== undefined && o.executionSegment !== undefined) throw bad('use either --shard or --execution-segment, not both');
  const shard = o.shard !== undefined ? parseShard(o.shard) : o.executionSegment !== undefined ? parseSegment(o.executionSegment) : { index: 0, count: 1 };
  const processes = intOption('--procs', o.procs, 1);
  const startAtMs = o.startAt !== undefined ? parseStartAt(o.startAt) : undefined;
  let out = spec;
  if (o.localPorts !== undefined) {
    const r = parsePortRange(o.localPorts);
    if ('error' in r) throw bad(`--local-ports: ${r.error}`);
    out = { ...out, localPorts: r.range };
  }
  if (o.localIps !== undefined) out = { ...out, localAddresses: parseAddresses(o.localIps) };
  else if (spec.localAddresses.length === 0 && isLoopbackTarget(spec.target) && planSize(spec, shard) > PORTS_PER_SOURCE) {
    // 127.0.0.0/8 is all loopback on Linux: eight sources give ~200k ports to one CSMS port.
    out = { ...out, localAddresses: Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`) };
  }
  return { spec: out, shard, ...(processes !== undefined ? { processes } : {}), ...(startAtMs !== undefined ? { startAtMs } : {}) };
}

/** `i/N`, 0-based: shard i of N. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw bad(`--shard expects i/N (0-based shard index over shard count), e.g. 0/4, got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw bad(`--shard ${text}: the index must be 0..${Math.max(0, count - 1)}`);
  return { index, count };
}

/** k6 execution segment `a:b` with fractions; only equal segments k/N:(k+1)/N map onto the plan's shards. */
export function parseSegment(text: string): ShardSpec {
  const parts = text.trim().split(':');
  const frac = (s: string | undefined): [number, number] | undefined => {
    if (s === undefined) return undefined;
    if (s === '0') return [0, 1];
    if (s === '1') return [1, 1];
    const m = /^(\d+)\/(\d+)$/.exec(s);
    if (m && Number(m[2]) > 0) return [Number(m[1]), Number(m[2])];
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
    if (pct) return [Number(pct[1]), 100];
    return undefined;
  };
  const a = frac(parts[0]);
  const b = frac(parts[1]);
  if (parts.length !== 2 || !a || !b) throw bad(`--execution-segment expects a:b such as 0:1/4 or 1/4:2/4, got '${text}'`);
  const lo = a[0] / a[1];
  const hi = b[0] / b[1];
  const width = hi - lo;
  const count = Math.round(1 / width);
  const index = Math.round(lo / width);
  if (width <= 0 || Math.abs(count * width - 1) > 1e-9 || Math.abs(index * width - lo) > 1e-9) {
    throw bad(`--execution-segment ${text}: only equal segments k/N:(k+1)/N are supported (they map to --shard k/N)`);
  }
  return { index, count };
}

function parseStartAt(text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw bad(`--start-at expects an ISO-8601 time or epoch milliseconds, got '${text}'`);
  if (ms < Date.now()) {
    process.stderr.write(`chargestorm: warning: --start-at ${new Date(ms).toISOString()} is already past: starting now, out of step with other shards\n`);
  }
  return ms;
}

/** `127.0.0.1-127.0.0.8` (a range in the last octet) or a comma-separated list. */
export function parseAddresses(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+\.\d+\.\d+\.)?(\d+)$/.exec(part);
    if (range) {
      const lo = Number(range[2]);
      const hi = Number(range[4]);
      // Both ends in the same /24, and a valid address at each end.
      if ((range[3] !== undefined && range[3] !== range[1]) || lo > hi || hi > 255 || !isIP(`${range[1]}${lo}`)) {
        throw bad(`--local-ips: bad range '${part}' (expected e.g. 127.0.0.1-127.0.0.8, one /24)`);
      }
      for (let i = lo; i <= hi; i++) out.push(`${range[1]}${i}`);
    } else if (isIP(part)) {
      out.push(part);
    } else {
      throw bad(`--local-ips expects addresses like 127.0.0.1-127.0.0.8 or 10.0.0.5,10.0.0.6, got '${part}'`);
    }
  }
  if (out.length === 0) throw bad('--local-ips is empty');
  return out;
}

function isLoopbackTarget(target: string | undefined): boolean {
  if (target === undefined) return true;
  try {
    const h = new URL(target).hostname;
    return h === 'localhost' || h.startsWith('127.') || h === '[::1]';
  } catch {
    return false;
  }
}
