import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileIdTemplate, stationIdProblem } from '../../src/scenario/stationId.js';

describe('station id templates', () => {
  it('renders index, padding and group', () => {
    const t = compileIdTemplate('{group}-CS{index:05}');
    assert.ok(typeof t !== 'string');
    assert.equal(t.format(42, 'ac'), 'ac-CS00042');
    assert.equal(t.format(123_456, 'ac'), 'ac-CS123456');
    assert.equal(t.hasIndex, true);
  });

  it('exposes the fixed prefix before the first {index}', () => {
    const t = compileIdTemplate('{group}-CS{index:05}-x');
    assert.ok(typeof t !== 'string');
    assert.equal(t.prefix('dc'), 'dc-CS');
    const fixed = compileIdTemplate('HQ');
    assert.ok(typeof fixed !== 'string');
    assert.equal(fixed.prefix('g'), 'HQ');
  });

  it('a literal "group" is not a placeholder', () => {
    const t = compileIdTemplate('group{index}');
    assert.ok(typeof t !== 'string');
    assert.equal(t.format(1, 'x'), 'group1');
  });

  it('reports malformed templates', () => {
    assert.match(String(compileIdTemplate('CS{index')), /unbalanced/);
    assert.match(String(compileIdTemplate('CS{index:5}')), /unknown placeholder/);
    const noIndex = compileIdTemplate('{group}');
    assert.ok(typeof noIndex !== 'string' && !noIndex.hasIndex);
  });

  it('checks OCPP identity rules', () => {
    assert.equal(stationIdProblem('CS-0001'), undefined);
    assert.match(String(stationIdProblem('x'.repeat(49))), /at most 48/);
    assert.match(String(stationIdProblem('a:b')), /':'/);
    assert.match(String(stationIdProblem('a b')), /whitespace/);
  });
});
