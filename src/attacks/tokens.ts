import type { Rng } from '../util/rng.js';

const HEX = '0123456789ABCDEF';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function chars(rng: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng.next() * alphabet.length)];
  return s;
}

/** A random ISO 14443 UID (4 or 7 bytes) as upper-case hex, as RFID readers report it. */
export function randomUid(rng: Rng, bytes: 4 | 7): string {
  return chars(rng, HEX, bytes * 2);
}

/** The `n`-th UID after `base` (hex of the same width): sequential enumeration. */
export function nextUid(base: string, n: number): string {
  const width = base.length;
  const v = (BigInt(`0x${base}`) + BigInt(n)) % (1n << BigInt(width * 4));
  return v.toString(16).toUpperCase().padStart(width, '0');
}

/** A syntactically valid eMAID (ISO 15118 / DIN SPEC 91286 shape: country, provider, 'C', 8 characters). */
export function randomEmaid(rng: Rng): string {
  return `${chars(rng, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 2)}${chars(rng, ALNUM, 3)}C${chars(rng, ALNUM, 8)}`;
}

/** A keypad code (4-8 digits). */
export function randomKeyCode(rng: Rng): string {
  return chars(rng, '0123456789', 4 + Math.floor(rng.next() * 5));
}

/** A random password of `len` printable characters (never the real one by construction: callers compare). */
export function randomPassword(rng: Rng, len: number): string {
  return chars(rng, `${ALNUM}abcdefghijklmnopqrstuvwxyz`, len);
}

/** A random station-like identity. */
export function randomIdentity(rng: Rng): string {
  return `CS-${chars(rng, ALNUM, 8)}`;
}
