import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { Locator, Path, Problems } from './problems.js';

/** A parsed YAML source: its plain value (for the validators) and a locator back into the text. */
export interface Source {
  value: unknown;
  locate: Locator;
}

/**
 * Parses YAML text. Syntax errors (and YAML warnings such as unresolved tags, which would silently change a
 * value) go into `problems` with their line; the caller stops there, because validating a half-parsed
 * document only adds noise. Duplicate keys are syntax errors in `yaml` v2, which is what we want; `<<:` merge
 * keys are enabled so groups can share an anchored EVSE model.
 */
export function parseSource(text: string, problems: Problems): Source | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = at(e.pos[0]);
    problems.addAt(pos.line, pos.column, `YAML: ${firstLine(e.message)}`);
  }
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown, locate: locator(doc, at) };
}

function firstLine(message: string): string {
  const i = message.indexOf('\n');
  return i < 0 ? message : message.slice(0, i);
}

type At = (offset: number) => { line: number; column: number };

function locator(doc: Document, at: At): Locator {
  const nodeAt = (path: Path): unknown => (path.length === 0 ? doc.contents : doc.getIn(path, true));
  const startOf = (node: unknown) => (isNode(node) && node.range ? at(node.range[0]) : undefined);

  return (path, anchor) => {
    if (anchor === 'key' && path.length > 0) {
      const parent = nodeAt(path.slice(0, -1));
      const key = path[path.length - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
        const pos = pair ? startOf(pair.key) : undefined;
        if (pos) return pos;
      }
    }
    // Walk up to the nearest node that exists: a missing key is reported on the line of its parent map.
    for (let n = path.length; n >= 0; n--) {
      const pos = startOf(nodeAt(path.slice(0, n)));
      if (pos) return pos;
    }
    return { line: 1, column: 1 };
  };
}
