import { IdSource } from '../util/ids.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { runFleet } from './runner.js';
import { LoadgenMonitor } from './loadgen.js';
import type { FromChild, ToChild } from './messages.js';

/**
 * A generator child process: runs one shard of the plan and reports progress and its final snapshot to the
 * parent over IPC. It ignores SIGINT (the parent decides how to end) and stops when the parent goes away.
 */
const send = (m: FromChild): void => { process.send?.(m); };
/**
 * Sends the last message, then lets go of the parent. Disconnecting right after `send` can drop a large message
 * still in the pipe's write queue (a 100,000-station run lost one process's final snapshot that way): wait for the
 * write to complete first.
 */
const sendLast = (m: FromChild): void => {
  if (!process.send) return;
  process.send(m, undefined, {}, () => { process.disconnect?.(); });
};
const abort = new AbortController();
let registry: MetricsRegistry | null = null;

process.on('SIGINT', () => {});
process.on('disconnect', () => { abort.abort(); setTimeout(() => process.exit(0), 3000).unref(); });

process.on('message', (m: ToChild) => {
  if (m.t === 'abort') abort.abort();
  else if (m.t === 'snapshot') { if (registry) send({ t: 'snapshot', id: m.id, snap: registry.snapshot(undefined, { series: false }) }); }
  else if (m.t === 'init') void run(m);
});

async function run(m: Extract<ToChild, { t: 'init' }>): Promise<void> {
  try {
    send({ t: 'ready' });
    // The metrics clock starts at the barrier, not before: rates and the series cover the run only.
    const wait = m.startAtMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const reg = (registry = new MetricsRegistry());
    let connected = (): number => 0;
    const monitor = new LoadgenMonitor(() => connected());
    monitor.start();
    const result = await runFleet({
      spec: m.spec, target: m.target, registry: reg, shard: m.shard, ids: new IdSource(m.idPrefix), startAtMs: m.startAtMs,
      signal: abort.signal,
      ...(m.verbose ? { verbose: (line: string) => process.stderr.write(`${line}\n`) } : {}),
      onWiring(w) { connected = () => w.connectedNow; },
      onTick(_elapsed, w) { send({ t: 'progress', sample: reg.progress(), connected: w.connectedNow, lagP99Ms: monitor.lastLagP99Ms }); },
    });
    monitor.stations = result.stationsPlanned;
    const loadgen = monitor.stop();
    sendLast({ t: 'done', snap: reg.snapshot(), result: {
      interrupted: result.interrupted, stationsPlanned: result.stationsPlanned, peakConnected: result.peakConnected, startedMs: result.startedMs,
      ...(result.attacks ? { attacks: result.attacks } : {}),
    }, loadgen });
  } catch (err) {
    process.exitCode = 1;
    sendLast({ t: 'error', message: (err as Error).stack ?? String(err) });
  }
}
