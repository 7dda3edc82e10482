const compiled = new WeakMap<readonly string[], (id: string) => boolean>();

/**
 * Station-id patterns (`csms.commands[].match`, `csms.tariff.match`): `*` is any run of characters, `?` one
 * character, everything else literal; a list matches when any pattern does. Compiled once per list.
 */
export function idMatcher(patterns: readonly string[]): (id: string) => boolean {
  let m = compiled.get(patterns);
  if (m === undefined) {
    const source = patterns.map((p) => p.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join(''));
    const re = new RegExp(`^(?:${source.join('|')})$`);
    compiled.set(patterns, m = (id) => re.test(id));
  }
  return m;
}
