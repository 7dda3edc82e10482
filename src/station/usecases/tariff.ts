/**
 * Behaviour `tariff`: EIM charging sessions priced at the station (OCPP 2.1 block I, FLOWS.md §7.1) and paid by
 * RFID contract, card at the integrated terminal or web/QR payment (block C, §7.2). Per EVSE: the tariff of the
 * session (the driver's from AuthorizeResponse.tariff, else the EVSE's default tariff) is fixed when the power path
 * closes; from then the CostCalculator (cost.ts) prices the metered energy and time, reported as
 * `transactionInfo.tariffId` and `costDetails` (running in Updated events with TariffCostCtrlr.Enabled[RunningCost],
 * full in Ended); ChangeTransactionTariff switches it (trigger TariffChanged); a maxCost (card authorization amount,
 * or from the CSMS) is echoed with LimitSet and suspends charging with CostLimitReached when the cost reaches it;
 * card sessions end with VatNumberValidation / NotifySettlement. Per station (tariff-station.ts): the tariff
 * messages. On a 2.0.1 connection the 2.1-only parts are skipped and counted (`usecase_skipped_201`).
 */
import { Rng, mixSeed } from '../../util/rng.js';
import type { TimelineTarget } from '../../util/timeline.js';
import type { Payload } from '../../ocpp/session.js';
import { pickToken, type IdToken } from '../draw.js';
import type { Evse } from '../evse.js';
import type { Station } from '../station.js';
import { CostCalculator } from './cost.js';
import type { EvseHooks, UseCase } from './index.js';
import { cardPayment, paymentToken, settle, type Payment } from './tariff-payment.js';
import { TARIFF_HANDLERS, tariffStore } from './tariff-station.js';

const T_RUNNING = 1;

/** The usage state at the last TransactionEvent: the segment since then had this power. */
interface Mark { ms: number; wh: number; charging: boolean; powerW: number; currentA: number }

/** Per-EVSE hooks of a `tariff` station. */
export class TariffEvse implements EvseHooks, TimelineTarget {
  readonly evse: Evse;
  private readonly rng: Rng;
  private txId: string | undefined;
  private calc: CostCalculator | null = null;
  private mark: Mark | null = null;
  private driverTariff: Payload | undefined;
  private payment: Payment | null = null;
  private maxCost: number | undefined;
  private limitPending = false;
  private limitReached = false;
  private tariffReported: string | undefined;
  /** ChangeTransactionTariff accepted: applies at the TariffChanged event (usage before it keeps the old prices). */
  private pendingTariff: Payload | undefined;
  /** A web payment is in progress on this EVSE until then (NotifyWebPaymentStarted): local starts wait. */
  private webPaymentUntilMs = 0;
  private runningToken = -1;

  constructor(evse: Evse) {
    this.evse = evse;
    this.rng = new Rng(mixSeed(evse.station.ctx.spec.seed, evse.station.plan.index, 300 + evse.id));
  }

  private get st(): Station { return this.evse.station; }
  private get spec() { return this.st.plan.group.tariff!; }
  private count(name: string): void { this.st.ctx.sink.count(name); }

  /** The session's cost so far (tests, handlers); null without local cost. */
  get cost(): CostCalculator | null { return this.calc; }

  /** The driver presents a card at the terminal or an RFID token (C01/C18). */
  async authorize(): Promise<IdToken | null> {
    const st = this.st;
    const g = this.spec;
    if (this.rng.next() < g.cardPaymentRatio) {
      // DirectPayment is a 2.1 idToken type: a 2.0.1 station has no terminal and the driver uses RFID.
      if (st.version === '2.1') return this.payByCard();
      this.count('usecase_skipped_201');
    }
    const token = pickToken(st.ctx.spec.sessions.idTokens, st.ctx.spec.seed, this.evse.rng, st.tokenShare(this.evse.id));
    if (!st.online) { this.count('authorize_offline_local'); return token; }
    const out = await st.call('Authorize', { idToken: token });
    return this.accepted(out.ok ? out.payload : undefined) ? token : null;
  }

  private async payByCard(): Promise<IdToken | null> {
    const st = this.st;
    const g = this.spec;
    const payment = cardPayment(this.rng, this.rng.next() < g.vatNumberRatio);
    const token = paymentToken(payment, this.rng) as IdToken;
    this.count('card_payments');
    if (g.authorizeDirectPayment && st.online) {
      const out = await st.call('Authorize', { idToken: token });
      if (!this.accepted(out.ok ? out.payload : undefined)) return null;
    }
    this.payment = payment;
    // The first event with the card's idToken carries the authorized amount (FLOWS.md §7.2).
    this.maxCost = g.authorizationAmount;
    this.limitPending = true;
    return token;
  }

  /** AuthorizeResponse: Accepted or not (counted as the plain session model does); a driver tariff is kept. */
  private accepted(res: Payload | undefined): boolean {
    const status = res?.idTokenInfo?.status;
    if (status !== 'Accepted') { this.count(res ? 'authorize_rejected' : 'authorize_failed'); return false; }
    this.driverTariff = res!.tariff;
    return true;
  }

  limitAt(atMs: number): number | undefined {
    if (this.limitReached) return 0; // CostLimitReached: the EVSE suspends (SuspendedEVSE)
    const tx = this.evse.tx!;
    return this.st.profiles.limitAt(this.evse.id, atMs, tx.startedMs);
  }

  blocksLocalStart(): boolean {
    return this.st.nowMs() < this.webPaymentUntilMs;
  }

  /** NotifyWebPaymentStarted (C25): "payment in progress" on this EVSE for `timeoutS`. */
  webPaymentStarted(timeoutS: number): void {
    this.webPaymentUntilMs = this.st.nowMs() + timeoutS * 1000;
  }

  /** ChangeTransactionTariff (I08) for the running transaction: a TariffChangeStatusEnumType. */
  changeTariff(tariff: Payload): string {
    if (!this.calc) return 'Rejected';
    if (tariff.currency !== this.calc.currency) return 'NoCurrencyChange';
    this.pendingTariff = tariff;
    queueMicrotask(() => { if (this.pendingTariff) this.evse.reportUpdate('TariffChanged'); });
    return 'Accepted';
  }

  decorate(p: Payload): void {
    const tx = this.evse.tx;
    if (!tx) return;
    if (tx.id !== this.txId) this.newTx(tx.id);
    if (this.st.version !== '2.1') return;
    const info = p.transactionInfo as Payload;
    // A web payment: the CSMS started this transaction with the PSP's reference (C24/C25).
    if (p.idToken?.type === 'DirectPayment' && !this.payment) {
      this.payment = { kind: 'web', pspRef: p.idToken.idToken };
      this.webPaymentUntilMs = 0;
    }
    const now = this.st.nowMs();
    if (this.calc) this.settleSegment(now);
    else if (tx.authorized && tx.evConnected) this.startBilling(now);
    if (this.pendingTariff && p.triggerReason === 'TariffChanged' && this.calc) {
      this.calc.changeTariff(this.pendingTariff);
      this.pendingTariff = undefined;
      this.count('tariff_changes');
    }
    if (this.limitPending && this.maxCost !== undefined && (p.idToken !== undefined || p.eventType !== 'Started')) {
      info.transactionLimit = { maxCost: this.maxCost };
      this.limitPending = false;
    }
    const c = this.calc;
    if (!c) return;
    if (c.tariffId !== this.tariffReported || p.eventType === 'Ended') {
      info.tariffId = c.tariffId;
      this.tariffReported = c.tariffId;
    }
    const final = p.eventType === 'Ended';
    if (final || this.spec.runningCost) p.costDetails = c.costDetails(final);
    if (!final && this.maxCost !== undefined && !this.limitReached && c.totalInclTax >= this.maxCost) {
      this.limitReached = true;
      this.count('cost_limit_reached');
      queueMicrotask(() => this.evse.reportUpdate('CostLimitReached'));
    }
  }

  private newTx(id: string): void {
    this.txId = id;
    this.calc = null;
    this.mark = null;
    this.tariffReported = undefined;
    this.pendingTariff = undefined;
    this.limitReached = false;
    // A card payment made for this session (authorize() ran before its first idToken event) stays.
    if (!this.limitPending) { this.payment = null; this.maxCost = undefined; this.driverTariff = undefined; }
  }

  /** The power path closed: the session's tariff is fixed now (driver tariff, else the EVSE's default). */
  private startBilling(now: number): void {
    const st = this.st;
    const tariff = this.driverTariff ?? tariffStore(st).defaultFor(this.evse.id, now);
    if (!tariff) return;
    const tx = this.evse.tx!;
    if (this.driverTariff) {
      tariffStore(st).drivers.set(tx.id, { tariff, evseId: this.evse.id, idToken: tx.idToken?.idToken ?? '' });
      this.count('driver_tariffs');
    }
    const ctx = this.payment?.kind === 'card'
      ? { evseKind: this.evse.model.current, paymentBrand: this.payment.brand, paymentRecognition: this.payment.recognition }
      : { evseKind: this.evse.model.current };
    this.calc = new CostCalculator(tariff, ctx, now);
    this.setMark(now);
    this.count('cost_sessions');
    const every = this.spec.runningCostInterval;
    if (every > 0 && this.spec.runningCost) {
      st.ctx.timeline.cancel(this.runningToken);
      this.runningToken = st.ctx.timeline.after(every, this, T_RUNNING);
    }
  }

  /** Prices the usage since the last event (constant power in between, FLOWS.md §3.6 physics) and marks now. */
  private settleSegment(now: number): void {
    const m = this.mark!;
    const wh = this.evse.physics.registerWh - m.wh;
    this.calc!.add({ startMs: m.ms, endMs: now, energyWh: wh > 0 ? wh : 0, charging: m.charging, powerW: m.powerW, currentA: m.currentA });
    this.setMark(now);
  }

  private setMark(now: number): void {
    const ph = this.evse.physics;
    this.mark = { ms: now, wh: ph.registerWh, charging: ph.state === 'Charging', powerW: ph.powerW, currentA: ph.currentA };
  }

  /** The CSMS's answer to an event: a maxCost it sets is taken and echoed with LimitSet (E16, FLOWS.md §3.7). */
  onTxResponse(req: Payload, res: Payload): void {
    const tx = this.evse.tx;
    const maxCost = res.transactionLimit?.maxCost;
    if (!tx || req.transactionInfo?.transactionId !== tx.id || typeof maxCost !== 'number' || maxCost === this.maxCost) return;
    if (this.st.version !== '2.1') return;
    this.maxCost = maxCost;
    this.limitPending = true;
    // A higher amount (incremental authorization) lifts a cost limit that was reached.
    if (this.limitReached && this.calc && this.calc.totalInclTax < maxCost) this.limitReached = false;
    queueMicrotask(() => this.evse.reportUpdate('LimitSet'));
  }

  onTimer(kind: number): void {
    if (kind !== T_RUNNING) return;
    this.runningToken = -1;
    const tx = this.evse.tx;
    if (this.st.link === 'stopped' || !tx || tx.id !== this.txId || !this.calc) return;
    this.evse.reportUpdate('RunningCost');
    this.runningToken = this.st.ctx.timeline.after(this.spec.runningCostInterval, this, T_RUNNING);
  }

  onEnded(): void {
    const st = this.st;
    st.ctx.timeline.cancel(this.runningToken);
    this.runningToken = -1;
    const txId = this.txId!;
    tariffStore(st).drivers.delete(txId);
    const amount = this.calc ? this.calc.totalInclTax : 0;
    if (this.calc) st.ctx.sink.add('cost_total', amount);
    const payment = this.payment;
    if (payment?.kind === 'card') void settle(st, payment, txId, amount, this.evse.id);
    this.payment = null;
    this.maxCost = undefined;
    this.limitPending = false;
    this.driverTariff = undefined;
  }
}

export const TARIFF_USE_CASE: UseCase = {
  sessions: true,
  evse: (evse) => new TariffEvse(evse),
  handlers: TARIFF_HANDLERS,
};
