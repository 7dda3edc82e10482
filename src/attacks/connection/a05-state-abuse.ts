import { isoTime } from '../../util/clock.js';
import type { Payload } from '../../ocpp/session.js';
import type { AttackImpl } from '../types.js';
import { randomIdentity, randomUid } from '../tokens.js';
import { attackSource } from './source.js';
import type { Rng } from '../../util/rng.js';

/**
 * A05 protocol-state abuse: a connection under an identity the CSMS has never seen boot (a rogue in the target's
 * source address and credentials) sends TransactionEvent / MeterValues / Authorize / StatusNotification without
 * ever sending BootNotification, `rate` CALLs/s cycling through `actions`. Each CALL is schema-valid: only its
 * place in the protocol is wrong. A correct CSMS answers every one with CALLERROR SecurityError (B02/B03) and
 * keeps no side effect. (A target station's own reconnect is not used: a CSMS rightly remembers its accepted
 * boot across reconnects, FLOWS.md §1.6.)
 */
export const A05: AttackImpl = {
  type: 'A05',
  title: 'protocol-state abuse',
  problem(spec) {
    if (spec.security.profile === 3 && !spec.security.issuer && spec.security.clientCert) {
      return 'under profile 3 with per-station certificate files the rogue identity has no certificate: give issuerCert/issuerKey';
    }
    return undefined;
  },
  async run(env) {
    const st = env.stations[0];
    const actions = env.params.actions as readonly string[];
    const src = attackSource(env, st);
    const identity = randomIdentity(env.rng);
    env.scope.station(identity);
    const res = await env.rogue({ identity, serialNumber: `SN-${identity}`, ...(src.localAddress ? { localAddress: src.localAddress } : {}) });
    if (!res.ok) {
      env.count('a05_connect_failed');
      throw new Error(`A05 rogue ${identity} could not connect: ${res.detail}`);
    }
    const rogue = res.rogue;
    const txId = `pre-boot-${randomUid(env.rng, 4)}`;
    let seqNo = 0;
    try {
      await env.every(env.rate, async (n) => {
        if (!rogue.open) return;
        const action = actions[n % actions.length]!;
        const payload = preBootPayload(action, env.nowMs(), env.rng, txId, seqNo);
        if (action === 'TransactionEvent') seqNo++;
        await env.call(rogue, action, payload, { expect: [{ kind: 'callerror', value: 'SecurityError' }], frame: `${action} before boot` });
      });
    } finally {
      rogue.close();
    }
  },
};

/** A schema-valid CALL payload of `action` as a station would send it mid-session. */
export function preBootPayload(action: string, nowMs: number, rng: Rng, transactionId: string, seqNo: number): Payload {
  const timestamp = isoTime(nowMs);
  const idToken = { idToken: randomUid(rng, 4), type: 'ISO14443' };
  switch (action) {
    case 'TransactionEvent':
      return {
        eventType: seqNo === 0 ? 'Started' : 'Updated', timestamp, triggerReason: seqNo === 0 ? 'Authorized' : 'MeterValuePeriodic', seqNo,
        transactionInfo: { transactionId, chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 },
        ...(seqNo === 0 ? { idToken } : {}),
        meterValue: [{ timestamp, sampledValue: [{ value: 1000 + seqNo * 50, measurand: 'Energy.Active.Import.Register' }] }],
      };
    case 'MeterValues':
      return { evseId: 1, meterValue: [{ timestamp, sampledValue: [{ value: 7400, measurand: 'Power.Active.Import' }] }] };
    case 'Authorize':
      return { idToken };
    case 'StatusNotification':
      return { timestamp, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 };
    default:
      throw new Error(`A05: no payload for ${action}`);
  }
}
