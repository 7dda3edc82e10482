import type { AttackImpl } from '../types.js';
import { A04 } from './a04-malformed-frames.js';
import { A10 } from './a10-tx-replay.js';
import { A11 } from './a11-forged-remote-start.js';
import { A13 } from './a13-firmware-downgrade.js';
import { A15 } from './a15-certificate-misuse.js';
import { A06 } from './a06-token-brute-force.js';
import { A16 } from './a16-security-events.js';

/** Frame-level attacks: malformed frames, tokens, replay, forged starts, firmware, certificates, security events. */
export const FRAME_ATTACKS: Readonly<Record<string, AttackImpl>> = { A04, A06, A10, A11, A13, A15, A16 };
