/**
 * Tariffs, cost and payments on the embedded CSMS (OCPP 2.1 blocks I and C, FLOWS.md §7). The CSMS's default
 * tariff (scenario `csms.tariff`) goes out with SetDefaultTariff after every accepted 2.1 boot; the scheduled
 * commands SetDefaultTariff, GetTariffs, ClearTariffs, ChangeTransactionTariff, CostUpdated and
 * NotifyWebPaymentStarted (followed by a RequestStartTransaction with the PSP's DirectPayment idToken, whose
 * Started event is answered with transactionLimit.maxCost); the station's local cost is accepted (the response to
 * Ended confirms its total as `totalCost`); NotifySettlement and VatNumberValidation are answered.
 */
import type { CsmsTariffSpec } from '../../scenario/spec.js';
import { DEFAULTS } from '../../scenario/defaults.js';
import type { Payload } from '../../ocpp/session.js';
import type { CommandBuilder, CommandContext } from '../commands.js';
import { EMPTY, type HandlerContext, type HandlerTable } from '../context.js';
import type { StationView, TxState } from '../state.js';

/** Per-station payment state: web payments announced and not yet started (pspRef → authorized amount). */
class PaymentState {
  readonly webPayments = new Map<string, number>();
}
const STATES = new WeakMap<object, PaymentState>();
function paymentState(view: StationView): PaymentState {
  let s = STATES.get(view);
  if (!s) STATES.set(view, (s = new PaymentState()));
  return s;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The TariffType of the CSMS's tariff (FLOWS.md §7.1): energy (with an optional off-peak window first), charging
 * and idle time, a start fee, VAT on every component, min/max cost.
 */
export function tariffPayload(t: CsmsTariffSpec, over: { tariffId?: string; priceKwh?: number } = {}): Payload {
  const taxRates = t.vatPercent > 0 ? [{ type: 'VAT', tax: t.vatPercent }] : undefined;
  const withTax = (x: Payload): Payload => (taxRates ? { ...x, taxRates } : x);
  const priceKwh = over.priceKwh ?? t.priceKwh;
  const energy: Payload[] = [];
  if (t.offPeak) energy.push({ priceKwh: t.offPeak.priceKwh, conditions: { startTimeOfDay: t.offPeak.from, endTimeOfDay: t.offPeak.to } });
  energy.push({ priceKwh });
  const tariff: Payload = { tariffId: over.tariffId ?? t.tariffId, currency: t.currency, energy: withTax({ prices: energy }) };
  const desc = [`${priceKwh} ${t.currency}/kWh`];
  if (t.chargingPriceMinute > 0) {
    tariff.chargingTime = withTax({ prices: [{ priceMinute: t.chargingPriceMinute }] });
    desc.push(`${t.chargingPriceMinute}/min charging`);
  }
  if (t.idlePriceMinute > 0) {
    const graceS = Math.round(t.idleGrace / 1000);
    tariff.idleTime = withTax({ prices: [graceS > 0 ? { priceMinute: t.idlePriceMinute, conditions: { minIdleTime: graceS } } : { priceMinute: t.idlePriceMinute }] });
    desc.push(`${t.idlePriceMinute}/min idle${graceS > 0 ? ` after ${graceS} s` : ''}`);
  }
  if (t.fixedFee > 0) {
    tariff.fixedFee = withTax({ prices: [{ priceFixed: t.fixedFee }] });
    desc.push(`${t.fixedFee} start fee`);
  }
  if (t.minCost !== undefined) tariff.minCost = { exclTax: t.minCost };
  if (t.maxCost !== undefined) tariff.maxCost = { exclTax: t.maxCost };
  tariff.description = [{ format: 'UTF8', language: 'en', content: `${desc.join(' + ')}${taxRates ? ` + ${t.vatPercent} % VAT` : ''}` }];
  return tariff;
}

/** The tariff of the scenario's CSMS, or the defaults when the scenario has no `csms.tariff`. */
const tariffOf = (spec: CsmsTariffSpec | undefined): CsmsTariffSpec => spec ?? DEFAULTS.csmsTariff;

/** After an accepted 2.1 boot: SetDefaultTariff for the whole station (I01), when the scenario has a tariff. */
export function afterBoot(ctx: HandlerContext): void {
  const t = ctx.core.opts.spec.tariff;
  if (!t?.afterBoot || ctx.version !== '2.1') return;
  const { core, state } = ctx;
  const c = core.counters;
  // After the response (the station is not accepted before it has it).
  queueMicrotask(() => {
    if (!state.connected) return;
    c.count(c.useCases, 'tariff.defaultSent');
    void core.send(state.id, 'SetDefaultTariff', { evseId: 0, tariff: tariffPayload(t) }).then((o) => {
      c.count(c.useCases, o.ok ? `tariff.default${o.payload.status}` : 'tariff.defaultFailed');
    });
  });
}

/**
 * What the TransactionEvent answer adds for tariffs and payments: `transactionLimit.maxCost` for the first event of
 * a web payment's transaction, and for Ended the station's local total as `totalCost` (FLOWS.md §7.1).
 */
export function tariffTxAnswer(ctx: HandlerContext, tx: TxState, p: Payload): Payload | undefined {
  let out: Payload | undefined;
  const token = p.idToken as Payload | undefined;
  if (token?.type === 'DirectPayment') {
    const pending = paymentState(ctx.state).webPayments;
    const amount = pending.get(token.idToken);
    if (amount !== undefined) {
      pending.delete(token.idToken);
      out = { transactionLimit: { maxCost: amount } };
    }
  }
  const total = (p.costDetails as Payload | undefined)?.totalCost?.total?.inclTax;
  if (typeof total === 'number') {
    const c = ctx.core.counters;
    if (p.eventType === 'Ended' && tx.ended) {
      c.count(c.useCases, 'tariff.sessionsPriced');
      out = { ...out, totalCost: total };
    } else c.count(c.useCases, 'tariff.runningCosts');
  }
  return out;
}

/** NotifySettlement (C21): the CSMS keeps no receipts of its own (PaymentCtrlr.ReceiptByCSMS false). */
function notifySettlement(ctx: HandlerContext, p: Payload): Payload {
  const c = ctx.core.counters;
  c.count(c.useCases, `payments.settlement${p.status}`);
  return EMPTY;
}

/** VatNumberValidation (C22): a well-formed EU VAT number (2 letters + 2..18 characters) is valid, with a company. */
function vatNumberValidation(ctx: HandlerContext, p: Payload): Payload {
  const c = ctx.core.counters;
  const ok = /^[A-Z]{2}[0-9A-Z]{2,18}$/.test(p.vatNumber);
  c.count(c.useCases, ok ? 'payments.vatAccepted' : 'payments.vatRejected');
  const r: Payload = { vatNumber: p.vatNumber, status: ok ? 'Accepted' : 'Rejected' };
  if (ok) r.company = { name: `Company ${p.vatNumber.slice(2, 8)}`, address1: '1 Charging Lane', city: 'Amsterdam', postalCode: '1011 AB', country: 'Netherlands' };
  if (p.evseId !== undefined) r.evseId = p.evseId;
  return r;
}

export const tariffHandlers: HandlerTable = {
  NotifySettlement: notifySettlement,
  VatNumberValidation: vatNumberValidation,
};

// ------------------------------------------------------------------------------------------ scheduled commands

const num = (c: CommandContext, k: string): number | undefined => (typeof c.params[k] === 'number' ? c.params[k] as number : undefined);
const str = (c: CommandContext, k: string): string | undefined => (typeof c.params[k] === 'string' ? c.params[k] as string : undefined);

const setDefaultTariff: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const over: { tariffId?: string; priceKwh?: number } = {};
  const id = str(c, 'tariffId');
  const price = num(c, 'priceKwh');
  if (id !== undefined) over.tariffId = id;
  if (price !== undefined) over.priceKwh = price;
  return { evseId: num(c, 'evseId') ?? 0, tariff: tariffPayload(tariffOf(c.tariff), over) };
};

const getTariffs: CommandBuilder = (c) => (c.version !== '2.1' ? null : { evseId: num(c, 'evseId') ?? 0 });

const clearTariffs: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const p: Payload = {};
  const id = str(c, 'tariffId');
  const evseId = num(c, 'evseId');
  if (id !== undefined) p.tariffIds = [id];
  if (evseId !== undefined) p.evseId = evseId;
  return p;
};

/** I08: a cheaper tariff (80 % of the energy price unless `priceKwh`) for a running transaction. */
const changeTransactionTariff: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const tx = c.state.runningTx(num(c, 'evseId'));
  if (!tx) return null;
  const t = tariffOf(c.tariff);
  const priceKwh = num(c, 'priceKwh') ?? round2(t.priceKwh * 0.8);
  return { transactionId: tx.id, tariff: tariffPayload(t, { tariffId: str(c, 'tariffId') ?? 'Changed01', priceKwh }) };
};

/** I03 (central cost): the CSMS's own estimate for a running transaction: its metered energy at the tariff's price. */
const costUpdated: CommandBuilder = (c) => {
  const tx = c.state.runningTx(num(c, 'evseId'));
  if (!tx) return null;
  const t = tariffOf(c.tariff);
  const gross = 1 + t.vatPercent / 100;
  return { transactionId: tx.id, totalCost: round2(((tx.energyWh / 1000) * t.priceKwh + t.fixedFee) * gross) };
};

/**
 * C25: a QR/web payment for a free EVSE. `startAfter` later the PSP has approved it and the CSMS starts the
 * transaction (RequestStartTransaction, idToken {pspRef, DirectPayment}); its Started event is answered with maxCost
 * `amount` (tariffTxAnswer).
 */
const notifyWebPaymentStarted: CommandBuilder = (c) => {
  if (c.version !== '2.1') return null;
  const evseId = num(c, 'evseId') ?? freeEvse(c);
  if (evseId === null) return null;
  const timeoutS = Math.round((num(c, 'timeout') ?? 30_000) / 1000);
  const pspRef = `WEB-${c.state.id.slice(-12)}-${c.nextId()}`;
  const amount = num(c, 'amount') ?? 20;
  const send = c.send;
  const state = c.state;
  // Without a way to send (a builder called alone) only the notification is built.
  if (send) setTimeout(() => {
    if (!state.connected) return;
    paymentState(state).webPayments.set(pspRef, amount);
    void send('RequestStartTransaction', { idToken: { idToken: pspRef, type: 'DirectPayment' }, remoteStartId: c.nextId(), evseId });
  }, num(c, 'startAfter') ?? 2000).unref();
  return { evseId, timeout: timeoutS };
};

function freeEvse(c: CommandContext): number | null {
  for (const [evseId, , status] of c.state.connectors()) if (status === 'Available' && c.state.runningTx(evseId) === undefined) return evseId;
  return null;
}

export const TARIFF_COMMANDS = {
  SetDefaultTariff: setDefaultTariff,
  GetTariffs: getTariffs,
  ClearTariffs: clearTariffs,
  ChangeTransactionTariff: changeTransactionTariff,
  CostUpdated: costUpdated,
  NotifyWebPaymentStarted: notifyWebPaymentStarted,
} as const satisfies Record<string, CommandBuilder>;
