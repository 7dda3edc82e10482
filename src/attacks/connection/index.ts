import type { AttackImpl } from '../types.js';
import { A01 } from './a01-flood.js';
import { A02 } from './a02-credential-brute-force.js';
import { A03 } from './a03-impersonation.js';
import { A05 } from './a05-state-abuse.js';
import { A14 } from './a14-profile-downgrade.js';

/** Connection-level attacks: floods, credentials, impersonation, pre-boot abuse, profile downgrade. */
export const CONNECTION_ATTACKS: Readonly<Record<string, AttackImpl>> = { A01, A02, A03, A05, A14 };
