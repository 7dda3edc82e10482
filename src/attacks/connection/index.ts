import type { AttackImpl } from '../types.js';
import { A02 } from './a02-credential-brute-force.js';

/** Connection-level attacks: floods, credentials, impersonation, pre-boot abuse, profile downgrade. */
export const CONNECTION_ATTACKS: Readonly<Record<string, AttackImpl>> = { A02 };
