import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceOf, isExactReaction } from '../../src/detection/reactions.js';
import { scoreDetection } from '../../src/detection/score.js';
import type { ReactionRecord } from '../../src/detection/types.js';
import { inst, s } from './helpers.js';

const securityError = [{ kind: 'callerror' as const, value: 'SecurityError' }];
const rec = (instanceId: string, sentS: number, observed: ReactionRecord['observed'], extra: Partial<ReactionRecord> = {}): ReactionRecord => ({
  instanceId, frame: 'TransactionEvent', sentMs: s(sentS), expected: securityError, observed, ...extra,
});

test('conformance = exact reactions / expected reactions', () => {
  const records = [
    rec('a05', 1, { atMs: s(1) + 20, reactions: [{ kind: 'callerror', value: 'SecurityError' }] }),
    rec('a05', 2, { atMs: s(2) + 40, reactions: [{ kind: 'callerror', value: 'SecurityError' }] }),
    rec('a05', 3, { atMs: s(3) + 30, reactions: [{ kind: 'callerror', value: 'FormatViolation' }] }),
    rec('a05', 4, null),
  ];
  const c = conformanceOf(records);
  assert.deepEqual([c.expected, c.exact, c.missing, c.rate], [4, 2, 1, 0.5]);
  assert.deepEqual([c.latency!.count, c.latency!.min, c.latency!.max], [3, 20, 40]);
});

test('an exact reaction needs every facet, one of the allowed values, and in time when bounded', () => {
  const authorize: ReactionRecord = {
    instanceId: 'a15', sentMs: 0,
    expected: [{ kind: 'certificateStatus', value: 'CertificateRevoked' }, { kind: 'status', value: ['Invalid', 'Blocked'] }],
    observed: { atMs: 100, reactions: [{ kind: 'status', value: 'Blocked' }, { kind: 'certificateStatus', value: 'CertificateRevoked' }] },
  };
  assert.equal(isExactReaction(authorize), true);
  assert.equal(isExactReaction({ ...authorize, observed: { atMs: 100, reactions: [{ kind: 'status', value: 'Invalid' }] } }), false);
  assert.equal(isExactReaction({ ...authorize, maxLatencyMs: 50 }), false);
  assert.equal(isExactReaction({ ...authorize, maxLatencyMs: 100 }), true);
  const close: ReactionRecord = { instanceId: 'a01', sentMs: 0, expected: [{ kind: 'close', value: [1008, 1009] }], observed: { atMs: 5, reactions: [{ kind: 'close', value: '1009' }] } };
  assert.equal(isExactReaction(close), true);
});

test('conformance per instance and per type in the scoring result', () => {
  const a05 = inst('a05', 'A05', { stations: ['CS-1'] }, 0, 10);
  const a04 = inst('a04', 'A04', { stations: ['CS-2'] }, 0, 10);
  const reactions = [
    rec('a05', 1, { atMs: s(1) + 10, reactions: [{ kind: 'callerror', value: 'SecurityError' }] }),
    rec('a05', 2, null),
    { instanceId: 'a04', sentMs: s(1), expected: [{ kind: 'callerror' as const, value: 'RpcFrameworkError' }], observed: { atMs: s(1) + 5, reactions: [{ kind: 'callerror' as const, value: 'RpcFrameworkError' }] } },
  ];
  const r = scoreDetection([a05, a04], [], { reactions });
  assert.equal(r.instances[0]!.reactions!.rate, 0.5);
  assert.equal(r.byType.A05!.conformance!.rate, 0.5);
  assert.equal(r.byType.A04!.conformance!.rate, 1);
  assert.equal(r.overall.conformance!.rate, 0.666667);
  assert.equal(r.overall.conformance!.expected, 3);
});
