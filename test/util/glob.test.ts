import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idMatcher } from '../../src/util/glob.js';

test('station id patterns: * any run, ? one character, everything else literal, any of a list', () => {
  const m = idMatcher(['SWAP-*', 'CS-??-1']);
  assert.equal(m('SWAP-00001'), true);
  assert.equal(m('SWAP-'), true);
  assert.equal(m('XSWAP-1'), false);
  assert.equal(m('CS-AC-1'), true);
  assert.equal(m('CS-ACX-1'), false);
  const list = ['CS.1+'];
  const dots = idMatcher(list);
  assert.equal(dots('CS.1+'), true);
  assert.equal(dots('CSx1+'), false, 'a dot is a dot');
  assert.equal(idMatcher(list), dots, 'compiled once per list');
});
