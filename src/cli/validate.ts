import type { Command } from 'commander';
import { loadScenarioFile } from '../scenario/load.js';
import { totalStations } from '../scenario/spec.js';
import { formatDuration } from '../util/duration.js';
import { parseGateThresholds } from './gates.js';
import { attackProblems } from '../attacks/index.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check a scenario file without running it: every problem with file, YAML path and line (exit 104).')
    .argument('<scenario>', 'scenario YAML file')
    .action((file: string) => {
      const spec = loadScenarioFile(file);
      const thresholds = parseGateThresholds(spec, [], attackProblems(spec));
      const gated = thresholds.length > 0 ? `, ${thresholds.length} threshold${thresholds.length === 1 ? '' : 's'}` : '';
      const groups = spec.groups.map((g) => `${g.name} ×${g.count}`).join(', ');
      const instances = spec.attacks.reduce((n, a) => n + a.instances, 0);
      const attacks = instances > 0 ? `, ${instances} attack instance${instances === 1 ? '' : 's'} (${[...new Set(spec.attacks.map((a) => a.type))].join(', ')})` : '';
      process.stdout.write(`${file}: valid — ${totalStations(spec)} stations (${groups}), ${formatDuration(spec.duration)}, `
        + `target ${spec.target ?? 'embedded CSMS'}${gated}${attacks}\n`);
    });
}
