import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

// The dependency rule of STYLE.md: imports point down only, never up, never sideways between modules of the
// same layer, never in a cycle; each third-party package lives in one module.
const LAYER: Record<string, number> = {
  util: 0, ocpp: 1, metrics: 1, scenario: 1, detection: 1, station: 2, csms: 2, attacks: 3, fleet: 4, cli: 5,
};
const PACKAGE_HOME: Record<string, readonly string[]> = {
  ws: ['ocpp'], ajv: ['ocpp'], yaml: ['scenario'], 'hdr-histogram-js': ['metrics'], 'p-limit': ['fleet'],
  commander: ['cli'], '@faker-js/faker': ['station', 'attacks'],
};

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function moduleOf(file: string): string {
  return relative(SRC, file).split(/[\\/]/)[0]!;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

test('every src module is a known layer', () => {
  for (const f of files(SRC)) assert.ok(moduleOf(f) in LAYER, `${relative('.', f)}: module '${moduleOf(f)}' is not in the layer table`);
});

test('imports point down only (util <- ocpp·metrics·scenario·detection <- station·csms <- attacks <- fleet <- cli)', () => {
  const violations: string[] = [];
  for (const f of files(SRC)) {
    const from = moduleOf(f);
    for (const spec of imports(f)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec);
      if (!target.startsWith(SRC)) { violations.push(`${relative('.', f)} imports outside src: ${spec}`); continue; }
      const to = moduleOf(target);
      if (to === from) continue;
      if (!(LAYER[to]! < LAYER[from]!)) violations.push(`${relative('.', f)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('each third-party package is imported from its one home module', () => {
  const violations: string[] = [];
  for (const f of files(SRC)) {
    const from = moduleOf(f);
    for (const spec of imports(f)) {
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      const homes = PACKAGE_HOME[pkg];
      if (!homes) violations.push(`${relative('.', f)} imports undeclared package '${pkg}'`);
      else if (!homes.includes(from)) violations.push(`${relative('.', f)} (${from}) imports '${pkg}', which belongs in ${homes.join('/')}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the rule can fail: a sideways import is detected', () => {
  // Guard against a vacuous pass (e.g. a broken regex finding no imports at all).
  const seen = files(SRC).flatMap((f) => imports(f));
  assert.ok(seen.length > 100, `only ${seen.length} imports found`);
  assert.ok(!(LAYER.station! < LAYER.csms!) && !(LAYER.csms! < LAYER.station!), 'station and csms are siblings');
});
