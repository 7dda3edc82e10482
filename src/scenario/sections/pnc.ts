import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { Fields, integer, ratio, readMap } from '../read.js';
import type { CsmsSpec, PncGroupSpec } from '../spec.js';

const PNC_KEYS = ['contracts', 'iso20Ratio', 'centralValidationRatio'] as const;
const PKI_KEYS = ['revokedContracts', 'expiredContracts'] as const;

/**
 * `stations[].pnc` — the ISO 15118 EVs of a `plug-and-charge` group (FLOWS.md §4). Absent: the defaults. Only a
 * `plug-and-charge` group may have it (reported by the caller).
 */
export function readPnc(p: Problems, v: unknown, path: Path): PncGroupSpec {
  const d = DEFAULTS.pnc;
  if (v === undefined || v === null) return d;
  const m = readMap(p, v, path, PNC_KEYS);
  if (!m) return d;
  const f = new Fields(p, m, path);
  return {
    // A sanity bound: each contract's certificate data is kept per station.
    contracts: f.opt('contracts', d.contracts, integer({ min: 1, max: 64 })),
    iso20Ratio: f.opt('iso20Ratio', d.iso20Ratio, ratio()),
    centralValidationRatio: f.opt('centralValidationRatio', d.centralValidationRatio, ratio()),
  };
}

/** `csms.pki` — the embedded CSMS's test PKI: shares of contract certificates it issues revoked / expired. */
export function readPki(p: Problems, v: unknown, path: Path): CsmsSpec['pki'] {
  const d = DEFAULTS.csms.pki;
  if (v === undefined || v === null) return d;
  const m = readMap(p, v, path, PKI_KEYS);
  if (!m) return d;
  const f = new Fields(p, m, path);
  const revokedContracts = f.opt('revokedContracts', d.revokedContracts, ratio());
  const expiredContracts = f.opt('expiredContracts', d.expiredContracts, ratio());
  if (revokedContracts + expiredContracts > 1) {
    p.add(f.at('expiredContracts'), `revokedContracts + expiredContracts is ${revokedContracts + expiredContracts}, more than all contracts (1)`);
  }
  return { revokedContracts, expiredContracts };
}
