import type { Evse } from '../../station/evse.js';
import type { MeterValue, SampledValue } from '../../station/meter.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';

const REGISTER = 'Energy.Active.Import.Register';

/** The EVSE of `st` whose transaction is authorized and drawing power, if any. */
export function chargingEvse(st: Station): Evse | undefined {
  return st.evses.find((e) => e.tx !== null && e.tx.authorized && e.tx.evConnected && e.physics.state === 'Charging' && e.physics.powerW > 500);
}

/**
 * An EVSE of `st` with a transaction drawing power: one already charging, else a driver plugs in at a free EVSE
 * (the session model's plug-in → Started → Authorize) and the instance waits until power flows. Undefined when
 * none charges before the deadline (the instance then sends nothing and is not scored).
 */
export async function charging(env: AttackEnv, st: Station): Promise<Evse | undefined> {
  let started = false;
  const ok = await env.waitFor(() => {
    if (!st.online) return false;
    if (chargingEvse(st)) return true;
    if (!started) {
      const free = st.freeEvse();
      if (free) { free.beginSession(); started = true; }
    }
    return false;
  }, 200);
  return ok ? chargingEvse(st) : undefined;
}

/** The instance's first target, charging (see `charging`), with its EVSE and transaction; null when there is none. */
export async function chargingTarget(env: AttackEnv): Promise<{ st: Station; evse: Evse; tx: NonNullable<Evse['tx']> } | null> {
  const st = env.stations[0];
  if (!st) return null;
  const evse = await charging(env, st);
  return evse?.tx ? { st, evse, tx: evse.tx } : null;
}

/** Waits until the EVSE's transaction `txId` is over (or `untilMs`); true when it ended. */
export function txEnded(env: AttackEnv, evse: Evse, txId: string, untilMs: number): Promise<boolean> {
  return env.waitFor(() => evse.tx?.id !== txId, 100, untilMs);
}

/** The register value (Wh) of a reading, NaN when it has none. */
export function registerOf(mv: MeterValue): number {
  const sv = mv.sampledValue.find((v) => (v.measurand ?? REGISTER) === REGISTER && v.phase === undefined);
  return sv ? sv.value : NaN;
}

/** A copy of `mv` with each sampled value of `measurand` mapped by `f` (the reading itself is never mutated). */
export function mapMeasurand(mv: MeterValue, measurand: string, f: (v: number, sv: SampledValue) => number): MeterValue {
  return {
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map((sv) => ((sv.measurand ?? REGISTER) === measurand ? { ...sv, value: round(Math.max(0, f(sv.value, sv))) } : sv)),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * How a tampered meter's register relates to the true one: `reported = true + offset`. While an attack runs the
 * offset follows its rule; afterwards it stays where it ended, so later readings (and the next transactions)
 * continue monotonically from the lie instead of jumping back (a jump would be a new, unlabelled anomaly).
 */
export class RegisterLie {
  offsetWh = 0;
  apply(mv: MeterValue): MeterValue {
    const off = this.offsetWh;
    return off === 0 ? mv : mapMeasurand(mv, REGISTER, (v) => v + off);
  }
}

/**
 * Installs a meter tamper on `evse` for the instance: `lie(mv, context, trueWh, reg)` rewrites readings of the
 * transaction `txId` while the instance is active — each reading it rewrites (non-null) is a malicious frame;
 * null reports the reading with the register's current offset. Outside the transaction and after the instance the
 * register keeps the offset the lie left (RegisterLie). Returns a function that ends the active part.
 */
export function tamperMeter(
  env: AttackEnv, evse: Evse, txId: string,
  lie: (mv: MeterValue, context: string, trueWh: number, reg: RegisterLie) => MeterValue | null,
): () => void {
  const reg = new RegisterLie();
  let active = true;
  const prev = evse.tamper;
  evse.tamper = {
    ...prev,
    meter(mv, context) {
      const out = active && evse.tx?.id === txId ? lie(mv, context, registerOf(mv), reg) : null;
      if (out === null) return reg.apply(mv);
      env.malicious();
      return out;
    },
  };
  return () => { active = false; };
}

/** Mark the end of a meter attack: the driver leaves now if the transaction still runs, so its Ended carries the lie. */
export async function endTx(env: AttackEnv, evse: Evse, txId: string): Promise<void> {
  if (evse.tx?.id === txId) evse.endSession('EVDisconnected', 'EVCommunicationLost');
  env.recorder.effectUntil(env.nowMs());
}
