import type { Reaction, ReactionSpec } from '../../detection/index.js';
import type { RawReply } from '../../ocpp/session.js';
import type { FUZZ_CASES } from '../../scenario/sections/attack-params/frames.js';
import type { AttackEnv } from '../env.js';
import { resultFacets } from '../reactions.js';
import type { AttackImpl } from '../types.js';

type FuzzCase = (typeof FUZZ_CASES)[number];

/** One malformed frame: its text, the id its reply carries, and the CALLERROR a conformant CSMS answers (none: ignored). */
interface Fuzz { text: string; replyId: string; expect?: readonly string[] }

const err = (...codes: string[]): readonly string[] => codes;
const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
/** Deeper than any receiver should follow (the embedded CSMS stops at 64 levels). */
const DEEP = 200;

/**
 * The frame of each case under message id `id` (FLOWS.md §1.3-§1.5, ATTACKS.md A04). Unknown message type
 * numbers and misused types (an unsolicited CALLRESULTERROR, a SEND of a CALL-only action, a result nobody
 * asked for) are ignored by a conformant receiver (FLOWS.md §1.4): no reaction is expected for them.
 */
function fuzz(c: FuzzCase, id: string, n: number, now: string): Fuzz {
  const call = (action: string, payload: unknown): string => `[2,${JSON.stringify(id)},${JSON.stringify(action)},${JSON.stringify(payload)}]`;
  const status = (extra: Record<string, unknown>, drop?: string): string => {
    const p: Record<string, unknown> = { timestamp: now, connectorStatus: 'Available', evseId: 1, connectorId: 1, ...extra };
    if (drop) delete p[drop];
    return call('StatusNotification', p);
  };
  switch (c) {
    case 'non-json': return { text: `[2,${JSON.stringify(id)},"Heartbeat",{`, replyId: '-1', expect: err('RpcFrameworkError') };
    case 'wrong-arity':
      return n % 2 === 0
        ? { text: `[2,${JSON.stringify(id)},"Heartbeat"]`, replyId: id, expect: err('RpcFrameworkError', 'FormatViolation') }
        : { text: `[2,${JSON.stringify(id)},"Heartbeat",{},{}]`, replyId: id, expect: err('RpcFrameworkError', 'FormatViolation') };
    case 'unknown-type': return { text: `[${7 + (n % 3)},${JSON.stringify(id)},"Heartbeat",{}]`, replyId: id };
    case 'misused-type':
      switch (n % 3) {
        case 0: return { text: `[5,${JSON.stringify(id)},"GenericError","unsolicited",{}]`, replyId: id };
        case 1: return { text: `[6,${JSON.stringify(id)},"Heartbeat",{}]`, replyId: id };
        default: return { text: `[3,${JSON.stringify(id)},{"status":"Accepted"}]`, replyId: id };
      }
    case 'unknown-action': return { text: call(`Chargestorm${['Probe', 'Exec', 'Dump'][n % 3]}`, {}), replyId: id, expect: err('NotImplemented', 'NotSupported') };
    case 'type-violation': return { text: status({ evseId: '1' }), replyId: id, expect: err('TypeConstraintViolation') };
    case 'missing-required': return { text: status({}, 'connectorStatus'), replyId: id, expect: err('OccurrenceConstraintViolation') };
    case 'enum-violation': return { text: status({ connectorStatus: 'Exploded' }), replyId: id, expect: err('PropertyConstraintViolation') };
    case 'max-length': return { text: call('DataTransfer', { vendorId: 'x'.repeat(300) }), replyId: id, expect: err('PropertyConstraintViolation') };
    case 'far-future-timestamp': return { text: status({ timestamp: '222222-01-01T00:00:00Z' }), replyId: id, expect: err('PropertyConstraintViolation') };
    case 'deep-nesting':
      return { text: `[2,${JSON.stringify(id)},"DataTransfer",{"vendorId":"org.chargestorm","data":${nest(DEEP)}}]`, replyId: id, expect: err('FormatViolation') };
  }
}

function observed(r: RawReply): Reaction[] {
  return r.type === 4 ? [{ kind: 'callerror', value: r.code }] : resultFacets(r.payload as Record<string, unknown>);
}

/** How long an ignored frame is watched for a (wrong) answer. */
const IGNORED_WATCH_MS = 1_000;

/**
 * A04 malformed frames / fuzzing: the target station's own connection carries the `cases` round robin at
 * `rate` frames/s — non-JSON, wrong arity, unknown or misused message types, unknown actions, schema breaks
 * (type, missing field, enum, maxLength, year-222222 timestamp), deep nesting — byte for byte (no outgoing
 * validation), and records the CALLERROR each got. Frames a conformant CSMS ignores are counted when answered.
 */
export const A04: AttackImpl = {
  type: 'A04',
  title: 'malformed frames / fuzzing',
  async run(env: AttackEnv): Promise<void> {
    const st = env.stations[0];
    if (!st) return;
    const cases = env.params.cases as readonly FuzzCase[];
    await env.every(env.rate, async (n) => {
      if (!st.online) return;
      const c = cases[n % cases.length]!;
      const f = fuzz(c, `${env.plan.id}-${n}`, Math.floor(n / cases.length), st.now());
      const sentMs = env.nowMs();
      env.malicious(sentMs);
      env.count(`a04_${c.replace(/-/g, '_')}`);
      if (f.expect === undefined) {
        // Not awaited: the pace of the other cases does not depend on a silence.
        void st.session.sendRawCall(f.replyId, f.text, IGNORED_WATCH_MS).then((r) => { if (r !== null) env.count('a04_ignored_frame_answered'); });
        return;
      }
      const expect: readonly ReactionSpec[] = [{ kind: 'callerror', value: f.expect }];
      const r = await st.session.sendRawCall(f.replyId, f.text, st.session.opts.callTimeoutMs);
      env.reaction(c, sentMs, expect, r === null ? null : { atMs: env.nowMs(), reactions: observed(r) });
    });
  },
};
