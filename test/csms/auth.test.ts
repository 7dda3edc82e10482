import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authDecision, parseBasic } from '../../src/csms/auth.js';
import { startCsms } from '../../src/csms/server.js';
import { TestClient } from './client.js';

const PASSWORD = 'correct-horse-battery-staple';

test('parseBasic splits at the first colon', () => {
  const h = `Basic ${Buffer.from('CS1:pa:ss').toString('base64')}`;
  assert.deepEqual(parseBasic(h), { user: 'CS1', password: 'pa:ss' });
  assert.equal(parseBasic(undefined), null);
  assert.equal(parseBasic('Bearer xyz'), null);
  assert.equal(parseBasic(`Basic ${Buffer.from('nocolon').toString('base64')}`), null);
});

test('authDecision: 404 for unknown identities before any password check', () => {
  const known = (id: string): boolean => id.startsWith('CS');
  assert.equal(authDecision('XX1', undefined, { profile: 1, password: PASSWORD }, known), 404);
  assert.equal(authDecision('CS1', undefined, { profile: 0 }, known), 'accept');
  assert.equal(authDecision('CS1', undefined, { profile: 1, password: PASSWORD }, known), 401);
});

test('security profile 1: Basic auth with user = identity; wrong password or user → HTTP 401', async () => {
  const csms = await startCsms({ security: { profile: 1, password: PASSWORD }, knownStations: (id) => id !== 'STRANGER' });
  try {
    const wrong = await TestClient.tryOpen(csms.url, 'CS-AUTH', { basicAuth: { user: 'CS-AUTH', password: 'wrong-password-123' } });
    assert.equal(wrong.ok, false);
    assert.equal(!wrong.ok && wrong.kind, 'http-status');
    assert.equal(!wrong.ok && wrong.status, 401);
    const otherUser = await TestClient.tryOpen(csms.url, 'CS-AUTH', { basicAuth: { user: 'CS-OTHER', password: PASSWORD } });
    assert.equal(!otherUser.ok && otherUser.status, 401);
    const none = await TestClient.tryOpen(csms.url, 'CS-AUTH');
    assert.equal(!none.ok && none.status, 401);
    const stranger = await TestClient.tryOpen(csms.url, 'STRANGER', { basicAuth: { user: 'STRANGER', password: PASSWORD } });
    assert.equal(!stranger.ok && stranger.status, 404);
    const c = await TestClient.open(csms.url, 'CS-AUTH', { basicAuth: { user: 'CS-AUTH', password: PASSWORD } });
    assert.equal((await c.boot()).status, 'Accepted');
    assert.deepEqual(csms.stats().handshakesRefused, { 401: 3, 404: 1 });
    await c.close();
  } finally {
    await csms.close();
  }
});

test('profile 1 without a password is a configuration error', async () => {
  await assert.rejects(startCsms({ security: { profile: 1 } }), /password/);
});
