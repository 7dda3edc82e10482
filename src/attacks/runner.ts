import type { AttackInstance, ReactionRecord } from '../detection/index.js';
import type { ScenarioSpec } from '../scenario/spec.js';
import type { StationContext } from '../station/context.js';
import type { Station } from '../station/station.js';
import { AttackEnv, type AttackSink } from './env.js';
import { fleetIndex, planAttacks, type InstancePlan } from './plan.js';
import { InstanceRecorder } from './recorder.js';
import { attackImpl } from './registry.js';

export interface AttackRunnerOptions {
  spec: ScenarioSpec;
  ctx: StationContext;
  shard: { index: number; count: number };
  /** Run start (epoch ms): instance times are offsets from it. */
  startedMs: number;
  /** The station with this global plan index, when this process has created it. */
  stationAt(index: number): Station | undefined;
  sink: AttackSink;
  log?(line: string): void;
}

/** What the attacks of one process did: ground-truth parts (merged over processes by id) and reactions. */
export interface AttackResults {
  instances: AttackInstance[];
  reactions: ReactionRecord[];
  /** Instances this process took part in. */
  planned: number;
  /** Of those, the ones that sent nothing (targets never online, nothing to tamper with): not scored. */
  notInjected: string[];
}

/**
 * Runs this process's part of every planned attack instance at its start time. The plan is the same in every
 * shard; a shard runs an instance if it holds one of its targets (the holder of the first target "leads" and
 * also does what needs no station). Each instance waits for its targets to be online, injects until its end,
 * and records its ground truth out of band.
 */
export class AttackRunner {
  readonly plans: readonly InstancePlan[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly envs = new Set<AttackEnv>();
  private readonly recorders: InstanceRecorder[] = [];
  private stopped = false;

  constructor(private readonly o: AttackRunnerOptions) {
    this.plans = planAttacks(o.spec, fleetIndex(o.spec), (type) => {
      const impl = attackImpl(type);
      return impl?.eligible ? (g) => impl.eligible!(g) : undefined;
    });
  }

  private mine(plan: InstancePlan): { local: number[]; lead: boolean } {
    const { index, count } = this.o.shard;
    const local = plan.targets.filter((i) => i % count === index);
    const lead = plan.targets.length === 0 ? index === 0 : plan.targets[0]! % count === index;
    return { local, lead };
  }

  start(): void {
    for (const plan of this.plans) {
      const { local, lead } = this.mine(plan);
      if (!lead && local.length === 0) continue;
      const rec = new InstanceRecorder(plan);
      this.recorders.push(rec);
      const delay = Math.max(0, this.o.startedMs + plan.startMs - this.o.ctx.clock.nowMs());
      this.timers.push(setTimeout(() => {
        if (this.stopped) return;
        const p = this.runInstance(plan, rec, local, lead);
        this.running.add(p);
        void p.finally(() => this.running.delete(p));
      }, delay));
    }
  }

  private async runInstance(plan: InstancePlan, rec: InstanceRecorder, local: readonly number[], lead: boolean): Promise<void> {
    const impl = attackImpl(plan.entry.type);
    if (!impl) return;
    const env = new AttackEnv(plan, this.o.ctx, [], lead, rec, this.o.sink, this.o.startedMs + plan.endMs);
    this.envs.add(env);
    try {
      const needOnline = impl.needsOnline !== false;
      const ready = await env.waitFor(() => local.every((i) => {
        const st = this.o.stationAt(i);
        return st !== undefined && (!needOnline || st.online);
      }));
      if (!ready && local.length > 0) {
        // Whatever is there still takes part (a target that never came online is left out).
        if (local.every((i) => { const st = this.o.stationAt(i); return !st || (needOnline && !st.online); })) {
          this.o.sink.count('attack_targets_unavailable');
          return;
        }
      }
      env.stations = local.map((i) => this.o.stationAt(i)).filter((s): s is Station => s !== undefined && (!needOnline || s.online));
      for (const st of env.stations) rec.station(st.id);
      this.o.sink.count('attack_instances_started');
      await impl.run(env);
    } catch (err) {
      this.o.sink.count('attack_errors');
      this.o.log?.(`attack ${plan.id} failed: ${(err as Error).message}`);
    } finally {
      this.envs.delete(env);
    }
  }

  /** Stops injecting now (end of run or interrupt); resolves when every instance has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearTimeout(t);
    for (const e of this.envs) e.abort();
    await Promise.all([...this.running]);
  }

  results(): AttackResults {
    const instances: AttackInstance[] = [];
    const reactions: ReactionRecord[] = [];
    const notInjected: string[] = [];
    for (const r of this.recorders) {
      const inst = r.instance();
      if (inst) instances.push(inst); else if (r.plan.startMs <= this.o.ctx.clock.nowMs() - this.o.startedMs) notInjected.push(r.plan.id);
      reactions.push(...r.reactions);
    }
    return { instances, reactions, planned: this.recorders.length, notInjected };
  }
}
