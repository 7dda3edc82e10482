import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqKind, StationState, TxState } from '../../src/csms/state.js';

test('observeSeq classifies in-order, gaps, late arrivals and duplicates', () => {
  const t = new TxState('t');
  assert.equal(t.observeSeq(0), SeqKind.InOrder);
  assert.equal(t.observeSeq(1), SeqKind.InOrder);
  assert.equal(t.observeSeq(5), SeqKind.Gap);
  assert.equal(t.missing, 3);
  assert.equal(t.observeSeq(3), SeqKind.Late);
  assert.equal(t.missing, 2);
  assert.equal(t.observeSeq(3), SeqKind.Duplicate);
  assert.equal(t.observeSeq(5), SeqKind.Duplicate);
  assert.equal(t.observeSeq(1), SeqKind.Duplicate);
  assert.equal(t.missing, 2);
  assert.equal(t.lastSeqNo, 5);
});

test('observeSeq keeps constant memory: far-behind numbers are out of window, huge jumps are one gap', () => {
  const t = new TxState('t');
  assert.equal(t.observeSeq(0), SeqKind.InOrder);
  assert.equal(t.observeSeq(1000), SeqKind.Gap);
  assert.equal(t.missing, 999);
  assert.equal(t.observeSeq(10), SeqKind.OutOfWindow);
  assert.equal(t.observeSeq(999), SeqKind.Late);
  assert.equal(t.observeSeq(1000), SeqKind.Duplicate);
  // A bit of the ring reused after wrapping must not read as "seen".
  assert.equal(t.observeSeq(1000 + 256), SeqKind.Gap);
  assert.equal(t.observeSeq(1000 + 255), SeqKind.Late);
  assert.equal(t.observeSeq(2 ** 31), SeqKind.Gap);
});

test('observeRegister adds increases only', () => {
  const t = new TxState('t');
  assert.equal(t.observeRegister(1000), 0);
  assert.equal(t.observeRegister(1500), 500);
  assert.equal(t.observeRegister(1400), 0);
  assert.equal(t.observeRegister(1600), 100);
  assert.equal(t.energyWh, 600);
});

test('StationState keeps connectors, running transactions, and only the last few ended ones', () => {
  const st = new StationState('CS1');
  st.setConnector(2, 1, 'Available');
  st.setConnector(1, 1, 'Occupied');
  assert.equal(st.connectorStatus(2), 'Available');
  assert.deepEqual(st.connectors().sort(), [[1, 1, 'Occupied'], [2, 1, 'Available']]);
  for (let i = 0; i < 10; i++) {
    const t = st.openTx(`t${i}`);
    t.evseId = 1;
    t.ended = true;
    st.closeTx(t);
  }
  const live = st.openTx('live');
  live.evseId = 2;
  assert.equal(st.transactions().length, 5);
  assert.equal(st.tx('t0'), undefined);
  assert.ok(st.tx('t9'));
  assert.equal(st.runningTx()!.id, 'live');
  assert.equal(st.runningTx(1), undefined);
  st.invite('NotifyReport');
  assert.equal(st.takeInvitation('Heartbeat'), false);
  assert.equal(st.takeInvitation('NotifyReport', true), true);
  assert.equal(st.takeInvitation('NotifyReport'), true);
  assert.equal(st.takeInvitation('NotifyReport'), false);
});
