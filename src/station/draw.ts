import { mixSeed, type Rng } from '../util/rng.js';
import type { Distribution, IdTokenSource } from '../scenario/spec.js';

/** Draws one value of a scenario distribution. */
export function draw(d: Distribution, rng: Rng): number {
  switch (d.kind) {
    case 'fixed': return d.value;
    case 'uniform': return rng.uniform(d.min, d.max);
    case 'normal': return clamp(rng.normal(d.mean, d.sd), d.min, d.max);
    case 'lognormal': return clamp(d.median * Math.exp(rng.normal(0, d.sigma)), d.min, d.max);
  }
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}

export interface IdToken { idToken: string; type: string }

/** Which share of the token pool a charging point draws from: EVSE `index` of `count` in the whole fleet. */
export interface PoolShare { index: number; count: number }

/**
 * Picks the idToken a driver presents. Faker-sourced pools are derived from (seed, pool slot), so the same
 * token exists on every shard and a CSMS sees realistic repeat customers. With a `share`, the pool is split
 * into disjoint slices per EVSE (slot ≡ share.index mod share.count): one card is never charging at two places
 * at once, which a CSMS rightly flags as cloning. A pool smaller than the fleet's EVSEs cannot promise that.
 */
export function pickToken(src: IdTokenSource, seed: number, rng: Rng, share?: PoolShare): IdToken {
  if (src.source === 'list') return src.tokens[Math.floor(rng.next() * src.tokens.length)]!;
  let slot: number;
  if (share && src.poolSize >= share.count) {
    const perShare = Math.floor((src.poolSize - 1 - share.index) / share.count) + 1;
    slot = share.index + share.count * Math.floor(rng.next() * perShare);
  } else {
    slot = Math.floor(rng.next() * src.poolSize);
  }
  return { idToken: tokenValue(src.type, seed, slot), type: src.type };
}

/**
 * Every idToken drivers may present under this token source and seed: the list, or each slot of the faker pool
 * (what pickToken draws from). The CSMS's token registry is built from it (cli/embedded.ts).
 */
export function poolTokens(src: IdTokenSource, seed: number): IdToken[] {
  if (src.source === 'list') return src.tokens.map((t) => ({ idToken: t.idToken, type: t.type }));
  const out: IdToken[] = new Array(src.poolSize);
  for (let slot = 0; slot < src.poolSize; slot++) out[slot] = { idToken: tokenValue(src.type, seed, slot), type: src.type };
  return out;
}

function tokenValue(type: string, seed: number, slot: number): string {
  const a = mixSeed(seed, 0x70c, slot).toString(16).padStart(8, '0');
  const b = mixSeed(seed, 0x70d, slot).toString(16).padStart(8, '0');
  switch (type) {
    case 'ISO14443': return `04${a}${b.slice(0, 4)}`.toUpperCase(); // 7-byte UID, NXP manufacturer byte 04
    case 'ISO15693': return `E0${a}${b.slice(0, 6)}`.toUpperCase(); // 8-byte UID
    case 'eMAID': return `DE${'ABC'}${(mixSeed(seed, 0x70e, slot) % 1e9).toString().padStart(9, '0')}`;
    case 'KeyCode': return String(mixSeed(seed, 0x70f, slot) % 1e6).padStart(6, '0');
    case 'MacAddress': return (a + b.slice(0, 4)).match(/../g)!.join(':').toUpperCase();
    default: return `${type.slice(0, 4).toUpperCase()}-${a}${b}`;
  }
}
