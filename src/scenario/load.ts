import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../util/errors.js';
import { buildSpec, checkDraft } from './build.js';
import { readDraft } from './draft.js';
import { deepFreeze } from './freeze.js';
import { checkOverrides, type ScenarioOverrides } from './overrides.js';
import { Problems } from './problems.js';
import { parseSource } from './source.js';
import type { ScenarioSpec } from './spec.js';

export type { ScenarioOverrides } from './overrides.js';

/**
 * Reads, validates and defaults a scenario file. Every problem (file, YAML, overrides) is collected and
 * thrown at once as an InvalidInputError (exit code 104), sorted by line.
 */
export function loadScenarioFile(path: string, overrides?: ScenarioOverrides): ScenarioSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const p = new Problems(path);
    checkOverrides(p, overrides);
    const code = (e as NodeJS.ErrnoException).code;
    p.add([], code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? (e as Error).message})`);
    throw new InvalidInputError(p.resolve());
  }
  return parseScenario(text, path, overrides);
}

/** Like loadScenarioFile for text already in memory; `file` names it in messages and defaults `name`. */
export function parseScenario(text: string, file: string, overrides?: ScenarioOverrides): ScenarioSpec {
  const p = new Problems(file);
  const valid = checkOverrides(p, overrides);
  const source = parseSource(text, p);
  if (!source) throw new InvalidInputError(p.resolve());
  const draft = readDraft(p, source.value, file, source.locate);
  if (draft) checkDraft(p, draft);
  const spec = draft ? buildSpec(p, draft, valid, file) : undefined;
  if (!spec || p.size > 0) throw new InvalidInputError(p.resolve(source.locate));
  return deepFreeze(spec);
}
