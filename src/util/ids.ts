import { randomBytes } from 'node:crypto';

/**
 * Message-id source: a per-process prefix plus a counter. Ids stay unique across every station of the whole
 * run (some CSMSs, CitrineOS among them, correlate ids across stations) without a UUID per message.
 */
export class IdSource {
  private n = 0;
  readonly prefix: string;
  constructor(prefix: string = randomBytes(4).toString('hex')) { this.prefix = prefix; }
  next(): string { return this.prefix + (this.n++).toString(36); }
}

/** The process-wide id source (shard index is folded into the prefix by the fleet). */
export const processIds = new IdSource();
