import { listOf, string, type Reader } from '../read.js';

/**
 * `match:` — which stations a command (or the CSMS's tariff) is for, by station id: a pattern or a list of them, `*`
 * any run of characters, `?` one (e.g. `"SWAP-*"`). A CSMS sends use-case commands to the stations that have the
 * use case; in a mixed fleet the groups' idTemplates tell them apart.
 */
export const stationMatch: Reader<string[]> = listOf(
  string({ maxLength: 100, pattern: /^[A-Za-z0-9*?._:+@#-]+$/, patternHint: 'a station id pattern: letters, digits, ._:+@#- and the wildcards * and ?' }),
  { single: true, minItems: 1 },
);
