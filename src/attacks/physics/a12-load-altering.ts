import { isoTime } from '../../util/clock.js';
import type { Evse } from '../../station/evse.js';
import type { Station } from '../../station/station.js';
import type { AttackEnv } from '../env.js';
import type { AttackImpl } from '../types.js';
import { chargingTarget, tamperMeter } from './session.js';

/**
 * A12 load-altering / charging-profile non-compliance (ATTACKS.md §3):
 * - `ignore-profile`: the target draws full power above the limit of the charging profile the CSMS installed (its
 *   real power, so the reports — honest — show it), after waiting for a profile to be in force;
 * - `synchronized-switching`: every target switches at once — all sessions stop, then drivers plug in at every
 *   free EVSE — every period/2; needs ≥ 20 targets to stand out of a fleet (the detector's synchronicity floor);
 * - `oscillation`: a charging target switches its power off and on every period/2 (uncommanded);
 * - `inflated-needs`: NotifyEVChargingNeeds asking for more energy than the battery can take (`needsKwh`); on a DC
 *   EVSE also a spoofed SoC far below the one its meter values report.
 * Each switch, reading above the limit or spoofed request is a malicious frame.
 */
export const A12: AttackImpl = {
  type: 'A12',
  title: 'load-altering',
  problem(spec, entry) {
    if (entry.params.mode === 'ignore-profile' && spec.target === undefined && !spec.csms.commands.some((c) => c.action === 'SetChargingProfile')) {
      return 'mode ignore-profile needs a charging profile to ignore: add a csms.commands SetChargingProfile for the embedded CSMS';
    }
    return undefined;
  },
  async run(env) {
    switch (env.params.mode as string) {
      case 'ignore-profile': return ignoreProfile(env);
      case 'synchronized-switching': return synchronizedSwitching(env);
      case 'oscillation': return oscillation(env);
      default: return inflatedNeeds(env);
    }
  },
};

function limitNow(st: Station, evse: Evse): number | undefined {
  return st.profiles.limitAt(evse.id, st.nowMs(), evse.tx?.startedMs);
}

async function ignoreProfile(env: AttackEnv): Promise<void> {
  // A session under a profile limit well below what the EV could take.
  const target = await chargingTarget(env);
  if (!target) return;
  const { st, evse } = target;
  if (!(await env.waitFor(() => evse.tx !== null && limitNow(st, evse) !== undefined, 200))) return;
  const txId = evse.tx?.id;
  if (txId === undefined) return;
  const prev = evse.tamper;
  evse.tamper = { ...prev, limit: () => undefined };
  const stop = tamperMeter(env, evse, txId, (mv) => {
    const lim = limitNow(st, evse);
    return lim !== undefined && evse.physics.powerW > lim ? mv : null;
  });
  evse.onLimitChanged();
  try {
    await env.waitFor(() => evse.tx?.id !== txId);
  } finally {
    stop();
    if (evse.tamper?.limit) evse.tamper = { ...evse.tamper, limit: undefined };
    evse.onLimitChanged();
  }
}

async function oscillation(env: AttackEnv): Promise<void> {
  const target = await chargingTarget(env);
  if (!target) return;
  const { st, evse } = target;
  const txId = target.tx.id;
  const half = (env.params.period as number) / 2;
  let off = false;
  try {
    await env.every(1000 / half, () => {
      if (evse.tx?.id !== txId) return;
      off = !off;
      evse.tamper = { ...evse.tamper, limit: off ? () => 0 : undefined };
      env.malicious();
      evse.onLimitChanged();
    });
  } finally {
    if (evse.tamper?.limit) {
      evse.tamper = { ...evse.tamper, limit: undefined };
      evse.onLimitChanged();
    }
  }
}

async function synchronizedSwitching(env: AttackEnv): Promise<void> {
  env.scope.fleet();
  const half = (env.params.period as number) / 2;
  let on = false;
  await env.every(1000 / half, () => {
    on = !on;
    let switched = 0;
    for (const st of env.stations) {
      if (!st.online) continue;
      for (const e of st.evses) {
        if (on && !e.tx && e.operative && e.status === 'Available') { e.beginSession(); switched++; }
        if (!on && e.tx) { e.endSession('EVDisconnected', 'EVCommunicationLost'); switched++; }
      }
    }
    if (switched > 0) env.malicious();
  });
}

async function inflatedNeeds(env: AttackEnv): Promise<void> {
  const target = await chargingTarget(env);
  if (!target) return;
  const { st, evse } = target;
  const txId = target.tx.id;
  const askedWh = Math.round((env.params.needsKwh as number) * 1000);
  const period = env.params.period as number;
  const v21 = st.version === '2.1';
  await env.every(1000 / period, async () => {
    if (evse.tx?.id !== txId || !st.online) return;
    const ph = evse.physics;
    const needs: Record<string, unknown> = {
      requestedEnergyTransfer: ph.current === 'DC' ? 'DC' : ph.phases === 1 ? 'AC_single_phase' : 'AC_three_phase',
      departureTime: isoTime(st.nowMs() + 15 * 60_000),
    };
    if (ph.current === 'DC') {
      const soc = Math.max(1, Math.round((ph.socPct ?? 50) - 40));
      const capacity = Math.round(askedWh / ((100 - soc) / 100));
      needs.dcChargingParameters = {
        evMaxCurrent: Math.round(ph.ratingW / ph.nominalVoltageV), evMaxVoltage: Math.round(ph.nominalVoltageV), evMaxPower: Math.round(ph.ratingW),
        evEnergyCapacity: capacity, energyAmount: askedWh, stateOfCharge: soc, fullSoC: 100, bulkSoC: 80,
      };
    } else {
      needs.acChargingParameters = { energyAmount: askedWh, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: Math.round(ph.nominalVoltageV) };
    }
    const req: Record<string, unknown> = { evseId: evse.id, maxScheduleTuples: 24, chargingNeeds: needs };
    if (v21) req.timestamp = st.now();
    await env.call(st, 'NotifyEVChargingNeeds', req);
  });
}
