import type { CsmsCore } from '../context.js';
import { TestPki } from './pki.js';

export {
  TestPki, OCSP_URL, type CaEntry, type CertificateUse, type ContractFate, type ContractStatus, type RootType, type SignResult, type SignResultOk,
} from './pki.js';

const PKIS = new WeakMap<CsmsCore, TestPki>();

/**
 * The test PKI of one embedded CSMS, built on first use (7 CA certificates, ~50 ms) so CSMSs that never see a
 * certificate message pay nothing. Seeded with the run's seed and the scenario's `csms.pki` shares.
 */
export function pkiOf(core: CsmsCore): TestPki {
  let pki = PKIS.get(core);
  if (pki === undefined) {
    const o = core.opts;
    pki = new TestPki({
      seed: o.seed, revokedContracts: o.spec.pki?.revokedContracts ?? 0, expiredContracts: o.spec.pki?.expiredContracts ?? 0,
      nowMs: () => core.nowMs(),
    });
    PKIS.set(core, pki);
  }
  return pki;
}
