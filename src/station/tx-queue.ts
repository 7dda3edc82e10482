import type { Payload } from '../ocpp/session.js';

/** One TransactionEvent waiting for delivery. */
export interface QueuedEvent {
  readonly payload: Payload;
  attempts: number;
}

// Events never dropped under memory pressure (FLOWS.md §1.7): Started/Ended, and Updated for LimitSet/…LimitReached.
const PROTECTED_TRIGGERS = new Set(['LimitSet', 'CostLimitReached', 'EnergyLimitReached', 'TimeLimitReached', 'SoCLimitReached']);

/**
 * The ordered TransactionEvent queue of one station (OCPP 2.1 E04/E12: queued while offline, delivered in
 * order). Events are appended when they happen and leave only when the CSMS answered or retries ran out.
 */
export class TxQueue {
  private readonly items: QueuedEvent[] = [];
  private head = 0;
  readonly capacity: number;

  constructor(capacity = 1000) { this.capacity = capacity; }

  get length(): number { return this.items.length - this.head; }
  peek(): QueuedEvent | undefined { return this.items[this.head]; }

  /** Appends; returns how many older events had to be dropped to stay within capacity. */
  push(payload: Payload): number {
    this.items.push({ payload, attempts: 0 });
    let dropped = 0;
    while (this.length > this.capacity && this.dropOneUpdated()) dropped++;
    return dropped;
  }

  shift(): QueuedEvent | undefined {
    const e = this.items[this.head];
    if (e === undefined) return undefined;
    this.items[this.head++] = undefined as unknown as QueuedEvent;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return e;
  }

  /** Under memory pressure drop intermediate Updated events first, oldest first, never protected ones. */
  private dropOneUpdated(): boolean {
    // The head may be in flight; start after it.
    for (let i = this.head + 1; i < this.items.length; i++) {
      const p = this.items[i]!.payload;
      if (p.eventType === 'Updated' && !PROTECTED_TRIGGERS.has(p.triggerReason)) {
        this.items.splice(i, 1);
        return true;
      }
    }
    return false;
  }
}
