/**
 * deploy/kubernetes/: the manifests parse, have what an Indexed Job of chargestorm shards needs, and the shard
 * script in the Job runs as documented (with a stub `node` on PATH: no cluster, no docker here).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { repoRoot, tempDir } from '../cli/helpers.js';

const dir = join(repoRoot, 'deploy', 'kubernetes');
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const VARS = ['CHARGESTORM_SHARDS', 'CHARGESTORM_START_AT', 'CHARGESTORM_IMAGE', 'CHARGESTORM_TARGET'];
const VALUES: Record<string, string> = {
  CHARGESTORM_SHARDS: '8', CHARGESTORM_START_AT: '2026-01-01T12:02:00Z', CHARGESTORM_IMAGE: 'registry.example.com/chargestorm:0.1.0',
  CHARGESTORM_TARGET: 'ws://csms.example.svc:9000/ocpp',
};

/** What `envsubst '${A} ${B} ...'` does: replaces $A and ${A} of the listed variables only. */
function envsubst(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)/g, (m, a?: string, b?: string) => values[(a ?? b)!] ?? m);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function parseOne(text: string, name: string): Json {
  const docs = parseAllDocuments(text);
  assert.equal(docs.length, 1, `${name}: one document`);
  assert.deepEqual(docs[0]!.errors, [], `${name}: YAML errors`);
  return docs[0]!.toJS();
}

const job = (): Json => parseOne(envsubst(read('job.yaml'), VALUES), 'job.yaml');

describe('deploy/kubernetes', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  test('job.yaml uses exactly the four documented template variables, and the README names them for envsubst', () => {
    const used = [...new Set([...read('job.yaml').matchAll(/\$\{(CHARGESTORM_[A-Z_]+)\}/g)].map((m) => m[1]))].sort();
    assert.deepEqual(used, [...VARS].sort());
    const readme = read('README.md');
    assert.ok(readme.includes(`envsubst '${VARS.map((v) => `\${${v}}`).join(' ')}'`), 'README: the envsubst line lists the four variables');
    for (const v of VARS) assert.match(readme, new RegExp(`export ${v}=`));
  });

  test('job.yaml: an Indexed Job, completions = parallelism = N, no retries, the shard command', () => {
    const j = job();
    assert.equal(j.apiVersion, 'batch/v1');
    assert.equal(j.kind, 'Job');
    assert.equal(j.spec.completionMode, 'Indexed');
    assert.equal(j.spec.completions, 8);
    assert.equal(j.spec.parallelism, 8);
    assert.equal(j.spec.backoffLimit, 0);
    const pod = j.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(pod.containers.length, 1);
    const c = pod.containers[0];
    assert.equal(c.image, VALUES.CHARGESTORM_IMAGE);
    assert.deepEqual(c.command, ['/bin/sh', '-c']);
    const script: string = c.args[0];
    assert.match(script, /node bin\/chargestorm\.js run \/scenario\/scenario\.yaml/);
    assert.match(script, /--shard "\$JOB_COMPLETION_INDEX\/\$SHARDS"/);
    assert.match(script, /--start-at "\$START_AT"/);
    assert.match(script, /--summary-export "\/results\/shard-\$JOB_COMPLETION_INDEX\.json"/);
    const env = Object.fromEntries(c.env.map((e: Json) => [e.name, e.value]));
    assert.deepEqual(env, { SHARDS: '8', START_AT: VALUES.CHARGESTORM_START_AT, TARGET: VALUES.CHARGESTORM_TARGET, EXTRA_ARGS: '' });
    assert.equal(c.resources.requests.cpu, '2');
    assert.ok(c.resources.requests.memory, 'a memory request');
    assert.equal(c.resources.limits?.cpu, undefined, 'no CPU limit');
    // The mounts point at the volumes the other manifests provide.
    const mounts = Object.fromEntries(c.volumeMounts.map((m: Json) => [m.name, m.mountPath]));
    assert.deepEqual(mounts, { scenario: '/scenario', results: '/results' });
    const volumes = Object.fromEntries(pod.volumes.map((v: Json) => [v.name, v]));
    assert.equal(volumes.scenario.configMap.name, 'chargestorm-scenario');
    const pvc = parseOne(read('results-pvc.yaml'), 'results-pvc.yaml');
    assert.equal(pvc.kind, 'PersistentVolumeClaim');
    assert.deepEqual(pvc.spec.accessModes, ['ReadWriteMany']);
    assert.equal(volumes.results.persistentVolumeClaim.claimName, pvc.metadata.name);
    const reader = parseOne(read('results-reader.yaml'), 'results-reader.yaml');
    assert.equal(reader.kind, 'Pod');
    assert.equal(reader.spec.volumes[0].persistentVolumeClaim.claimName, pvc.metadata.name);
    assert.equal(reader.spec.containers[0].volumeMounts[0].mountPath, '/results');
  });

  describe('the shard script, run by sh with a stub node', () => {
    const script: string = job().spec.template.spec.containers[0].args[0];

    /** A directory with a stub `node` that writes its arguments to `out`, runs `body`, and exits. */
    function stub(name: string, body: string): { path: string; out: string } {
      const bin = tmp.file(`bin-${name}`);
      const out = tmp.file(`argv-${name}.txt`);
      mkdirSync(bin);
      writeFileSync(join(bin, 'node'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${out}"\n${body}\n`);
      chmodSync(join(bin, 'node'), 0o755);
      return { path: `${bin}:/usr/bin:/bin`, out };
    }
    const env = (path: string, extraArgs = ''): NodeJS.ProcessEnv => ({
      PATH: path, JOB_COMPLETION_INDEX: '5', SHARDS: '8', START_AT: VALUES.CHARGESTORM_START_AT!, TARGET: VALUES.CHARGESTORM_TARGET!, EXTRA_ARGS: extraArgs,
    });

    function runScript(exitCode: number, extraArgs = ''): { code: number | null; argv: string[] } {
      const s = stub(`exit-${exitCode}`, `exit ${exitCode}`);
      const r = spawnSync('/bin/sh', ['-c', script], { env: env(s.path, extraArgs), timeout: 10_000 });
      return { code: r.status, argv: existsSync(s.out) ? readFileSync(s.out, 'utf8').trimEnd().split('\n') : [] };
    }

    test('it parses (sh -n)', () => {
      const r = spawnSync('/bin/sh', ['-n', '-c', script], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    });

    test('runs shard $JOB_COMPLETION_INDEX/$SHARDS with the barrier, the target, the results file and EXTRA_ARGS', () => {
      const { code, argv } = runScript(0, '--procs 2 --threshold ocpp_call_duration{action:Authorize}:p(99)<500');
      assert.equal(code, 0);
      assert.deepEqual(argv, [
        'bin/chargestorm.js', 'run', '/scenario/scenario.yaml', '--target', VALUES.CHARGESTORM_TARGET, '--shard', '5/8',
        '--start-at', VALUES.CHARGESTORM_START_AT, '--summary-export', '/results/shard-5.json',
        '--procs', '2', '--threshold', 'ocpp_call_duration{action:Authorize}:p(99)<500',
      ]);
    });

    test('a shard\'s own threshold failure (99) does not fail the pod; every other failure does', () => {
      assert.equal(runScript(99).code, 0);
      assert.equal(runScript(105).code, 105);
      assert.equal(runScript(107).code, 107);
      assert.equal(runScript(104).code, 104);
    });

    test('SIGTERM to the pod\'s shell reaches chargestorm, whose exit code (105, interrupted) is the pod\'s', async () => {
      // The stub stands in for a run that drains on SIGTERM and exits 105; it gives up by itself after 30 s.
      const ready = tmp.file('term-ready');
      const got = tmp.file('term.txt');
      const s = stub('term', `trap 'echo TERM > "${got}"; exit 105' TERM\n: > "${ready}"\n`
        + 'i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; exit 1');
      const sh = spawn('/bin/sh', ['-c', script], { env: env(s.path), stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => sh.on('exit', (code) => resolve(code)));
      for (let i = 0; i < 500 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(existsSync(ready), 'the stub started');
      sh.kill('SIGTERM');
      assert.equal(await exited, 105);
      assert.equal(readFileSync(got, 'utf8').trim(), 'TERM');
    });

    test('SIGTERM before the run has started still stops it', () => {
      // `kill -TERM $$` as the first command stands in for a signal that arrives that early.
      const s = stub('early', `trap 'exit 105' TERM\ni=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; exit 1`);
      const r = spawnSync('/bin/sh', ['-c', script.replace('set -u\n', 'set -u\n(sleep 0; kill -TERM $$) &\nwait\n')], { env: env(s.path), timeout: 20_000 });
      // 105 if the run had set up its handler by then, 143 (killed by SIGTERM) if not; never its natural end (1).
      assert.ok(r.status === 105 || r.status === 143, `exit ${r.status}`);
    });
  });

  test('Dockerfile: node:20-slim, npm ci and npm run build, entrypoint node bin/chargestorm.js; what it copies exists', () => {
    const text = read('Dockerfile');
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    const from = lines.filter((l) => l.startsWith('FROM '));
    assert.ok(from.length >= 1 && from.every((l) => /^FROM node:20-slim\b/.test(l)), from.join(' | '));
    assert.ok(lines.some((l) => /^RUN npm ci\b/.test(l)));
    assert.ok(lines.some((l) => /^RUN npm run build\b/.test(l)));
    assert.ok(lines.includes('ENTRYPOINT ["node", "bin/chargestorm.js"]'));
    for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from='))) {
      const parts = l.split(/\s+/).slice(1, -1);
      for (const p of parts) assert.ok(existsSync(join(repoRoot, p)), `${l}: ${p} is not in the repository`);
    }
    // The runtime stage gets the build's output, not the sources.
    assert.match(text, /COPY --from=build \/app\/dist\/src \.\/dist\/src/);
    // bin/chargestorm.js loads dist/src/cli/main.js.
    assert.match(readFileSync(join(repoRoot, 'bin', 'chargestorm.js'), 'utf8'), /\.\.\/dist\/src\/cli\/main\.js/);
  });

  test('every manifest parses as YAML', () => {
    for (const f of ['job.yaml', 'results-pvc.yaml', 'results-reader.yaml']) assert.doesNotThrow(() => parse(envsubst(read(f), VALUES)), f);
  });
});
