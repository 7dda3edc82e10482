import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { parseScenario } from '../../src/scenario/load.js';
import { selfSignedCa } from '../../src/ocpp/tls.js';
import { problemAt, problemsOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'chargestorm-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const CA = selfSignedCa({ subject: [['CN', 'scenario test CA']], notBeforeMs: Date.now() - 1000, notAfterMs: Date.now() + 86_400_000 });
writeFileSync(join(dir, 'ca.pem'), CA.certPem);
writeFileSync(join(dir, 'ca-key.pem'), CA.keyPem);
writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
// A scenario file in `dir`: relative paths are read from there.
const FILE = join(dir, 'scenario.yaml');
const PW = 'correct-horse-battery-staple';
const S = 'stations: [{count: 1}]\n';

test('profile 2: password and an optional CA file (read relative to the scenario file)', () => {
  const spec = parseScenario(`${S}security: { profile: 2, password: "${PW}", ca: ca.pem }\n`, FILE);
  assert.equal(spec.security.profile, 2);
  assert.equal(spec.security.password, PW);
  assert.equal(spec.security.ca, CA.certPem);
  assert.match(problemAt(problemsOf(`${S}security: { profile: 2 }\n`, undefined, FILE), 'security.password').message, /required/);
});

test('profile 3: organisation default, issuing CA or per-station file templates', () => {
  const issuer = parseScenario(`${S}security: { profile: 3, issuerCert: ca.pem, issuerKey: ca-key.pem }\n`, FILE).security;
  assert.deepEqual(issuer, { profile: 3, organization: 'chargestorm CSO', issuer: { cert: CA.certPem, key: CA.keyPem } });
  const files = parseScenario(`${S}security: { profile: 3, organization: ACME, clientCert: "certs-{serial}.pem", clientKey: "{id}.key" }\n`, FILE).security;
  assert.deepEqual(files.clientCert, { cert: join(dir, 'certs-{serial}.pem'), key: join(dir, '{id}.key') });
  assert.equal(files.organization, 'ACME');
  // Nothing given: only the embedded CSMS can supply certificates.
  assert.deepEqual(parseScenario(`${S}security: { profile: 3 }\n`, FILE).security, { profile: 3, organization: 'chargestorm CSO' });
});

test('every security problem is reported with its path', () => {
  const at = (yaml: string, path: string): string => problemAt(problemsOf(`${S}security: ${yaml}\n`, undefined, FILE), path).message;
  assert.match(at('{ profile: 4 }', 'security.profile'), /0 \(none\), 1 .*3 \(mutual TLS\)/);
  assert.match(at('{ profile: 1, password: "' + PW + '", ca: ca.pem }', 'security.ca'), /only used with profile 2 or 3/);
  assert.match(at('{ profile: 2, password: "' + PW + '", issuerCert: ca.pem, issuerKey: ca-key.pem }', 'security.issuerCert'), /only used with profile 3/);
  assert.match(at('{ profile: 3, password: "' + PW + '" }', 'security.password'), /client certificates, not a password/);
  assert.match(at('{ profile: 3, ca: missing.pem }', 'security.ca'), /file not found/);
  assert.match(at('{ profile: 3, ca: garbage.pem }', 'security.ca'), /no readable PEM certificate/);
  assert.match(at('{ profile: 3, issuerCert: ca.pem, issuerKey: ca.pem }', 'security.issuerKey'), /no readable PEM private key/);
  assert.match(at('{ profile: 3, issuerCert: ca.pem }', 'security.issuerKey'), /go together/);
  assert.match(at('{ profile: 3, clientCert: "same.pem", clientKey: "{id}.key" }', 'security.clientCert'), /must contain \{serial\} or \{id\}/);
  assert.match(at('{ profile: 3, clientCert: "nodir/{id}.pem", clientKey: "{id}.key" }', 'security.clientCert'), /directory not found/);
  assert.match(at('{ profile: 3, clientCert: "{id}.pem", clientKey: "{id}.key", issuerCert: ca.pem, issuerKey: ca-key.pem }', 'security.issuerCert'), /either/);
});

test('profiles 2/3 need a wss:// target, from the file or from --target; profile 3 against it needs certificates', () => {
  const p2 = `${S}security: { profile: 2, password: "${PW}" }\n`;
  assert.match(problemAt(problemsOf(`${p2}target: ws://127.0.0.1:9000/ocpp\n`, undefined, FILE), 'target').message, /needs a wss:\/\/ target/);
  assert.match(problemAt(problemsOf(p2, { target: 'ws://127.0.0.1:9000/ocpp' }, FILE), 'security.profile').message, /needs a wss:\/\/ target/);
  assert.equal(parseScenario(p2, FILE, { target: 'wss://127.0.0.1:9000/ocpp' }).target, 'wss://127.0.0.1:9000/ocpp');
  assert.match(problemAt(problemsOf(`${S}security: { profile: 3 }\ntarget: wss://csms.example.com/ocpp\n`, undefined, FILE), 'target').message,
    /needs client certificates/);
  // Profile 1 over wss:// stays allowed.
  assert.equal(parseScenario(`${S}security: { profile: 1, password: "${PW}" }\ntarget: wss://csms.example.com/ocpp\n`, FILE).security.profile, 1);
});
