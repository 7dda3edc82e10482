/**
 * The integrated payment terminal of a `tariff` station (OCPP 2.1 C18-C23, FLOWS.md §7.2): the DirectPayment
 * idToken of an approved card, and the settlement at the end of the session (VatNumberValidation for a company
 * receipt first, then NotifySettlement). The PSP itself is not simulated: every card is approved.
 */
import { isoTime } from '../../util/clock.js';
import type { Rng } from '../../util/rng.js';
import type { Payload } from '../../ocpp/session.js';
import type { Station } from '../station.js';

const BRANDS = ['Visa', 'Mastercard', 'Maestro', 'AmericanExpress'] as const;
const RECOGNITION = ['CC', 'Debit'] as const;

/** An approved card payment (or a web payment the CSMS learned from the PSP). */
export interface Payment {
  readonly kind: 'card' | 'web';
  readonly pspRef: string;
  readonly brand?: string;
  readonly recognition?: string;
  /** A company receipt was asked for: the VAT number to validate. */
  readonly vatNumber?: string;
}

const hex = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng.next() * 16).toString(16);
  return s;
};

/** A card presented at the terminal and approved by the PSP; `vat`: the driver wants a company receipt. */
export function cardPayment(rng: Rng, vat: boolean): Payment {
  const brand = BRANDS[Math.floor(rng.next() * BRANDS.length)]!;
  const recognition = RECOGNITION[Math.floor(rng.next() * RECOGNITION.length)]!;
  const p: Payment = { kind: 'card', pspRef: `PSP-${hex(rng, 12)}`, brand, recognition };
  // A Dutch-style VAT number (NL + 9 digits + B + 2 digits), ≤ 20 characters as the schema requires.
  return vat ? { ...p, vatNumber: `NL${String(Math.floor(rng.next() * 1e9)).padStart(9, '0')}B01` } : p;
}

/** The idToken of a card payment (FLOWS.md §7.2): pspRef, type DirectPayment, the terminal's payment details. */
export function paymentToken(p: Payment, rng: Rng): Payload {
  const token: Payload = { idToken: p.pspRef, type: 'DirectPayment' };
  if (p.kind === 'card') {
    token.additionalInfo = [
      { additionalIdToken: p.brand, type: 'PaymentBrand' },
      { additionalIdToken: p.recognition, type: 'PaymentRecognition' },
      { additionalIdToken: String(Math.floor(rng.next() * 10_000)).padStart(4, '0'), type: 'CardLast4Digits' },
    ];
  }
  return token;
}

/**
 * Settles a card session (C21/C23): the amount is the session's total including tax; `Canceled` when nothing was
 * charged. With a VAT number the station validates it first and puts the company on the settlement. Skipped and
 * counted on a 2.0.1 connection; nothing is sent while offline.
 */
export async function settle(st: Station, p: Payment, transactionId: string, amount: number, evseId: number): Promise<void> {
  const sink = st.ctx.sink;
  if (st.version !== '2.1') { sink.count('usecase_skipped_201'); return; }
  if (!st.online) return;
  const req: Payload = {
    transactionId, pspRef: p.pspRef, status: amount > 0 ? 'Settled' : 'Canceled', settlementAmount: amount, settlementTime: st.now(),
  };
  if (p.vatNumber !== undefined && amount > 0) {
    const v = await st.call('VatNumberValidation', { vatNumber: p.vatNumber, evseId });
    if (v.ok) {
      sink.count('vat_validations');
      if (v.payload.status === 'Accepted' && v.payload.company !== undefined) {
        req.vatNumber = p.vatNumber;
        req.vatCompany = v.payload.company;
      }
    }
    if (!st.online) return;
  }
  if (amount > 0) req.receiptId = `R-${transactionId.slice(0, 8)}`;
  req.settlementTime = isoTime(st.nowMs());
  const out = await st.call('NotifySettlement', req);
  if (out.ok) sink.count(amount > 0 ? 'settlements' : 'settlements_canceled');
}
