import type { Faker, Randomizer } from '@faker-js/faker';
import { faker as enFaker } from '@faker-js/faker/locale/en';
import type { StationGroupSpec } from '../scenario/spec.js';
import { mixSeed } from '../util/rng.js';

/** What a station says about itself in BootNotificationRequest.chargingStation (field limits per the 2.1 schema). */
export interface Identity {
  /** ≤ 50 */
  vendorName: string;
  /** ≤ 20 */
  model: string;
  /** ≤ 25, unique per global station index (it is the CN of a profile-3 client certificate). */
  serialNumber: string;
  /** ≤ 50 */
  firmwareVersion: string;
  modem: { iccid: string; imsi: string };
}

/**
 * faker's default Mersenne Twister re-initialises 624 words on every seed() (~35 µs); a 100k-station fleet
 * re-seeds once per station, so the shared instance runs on a one-word generator (mulberry32, as util/rng)
 * whose seeding is free. Output still depends only on the seed. faker calls next() detached from its object,
 * hence module state rather than a class.
 */
let state = 0;
const mulberry32: Randomizer = {
  next(): number {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  },
  seed(seed: number | number[]): void {
    state = (Array.isArray(seed) ? mixSeed(...seed) : seed) >>> 0;
  },
};

// The package index loads all ~70 locales (~120 ms and ~17 MB of heap per shard process); the `locale/en`
// entry point exports only an instance, so its class is reused to build one instance with our randomizer.
const FakerClass = enFaker.constructor as typeof Faker;
const shared: Faker = new FakerClass({ locale: enFaker.rawDefinitions, randomizer: mulberry32 });

const VENDOR_SUFFIXES = ['Charging', 'E-Mobility', 'Energy', 'Power', 'EV Systems', 'Mobility'] as const;
// Mobile network codes of real IoT-SIM issuers, so ICCID/IMSI look plausible to a CSMS that parses them.
const NETWORKS = [
  { mcc: '204', mnc: '08', cc: '31' },  // NL
  { mcc: '262', mnc: '01', cc: '49' },  // DE
  { mcc: '208', mnc: '01', cc: '33' },  // FR
  { mcc: '234', mnc: '15', cc: '44' },  // GB
  { mcc: '310', mnc: '41', cc: '1' },   // US
] as const;

/**
 * The identity of station `globalIndex` under run seed `seed`: identical for the same (seed, index) in any
 * shard or process. `group.vendor` / `group.model` override the generated ones.
 */
export function stationIdentity(seed: number, globalIndex: number, group: StationGroupSpec): Identity {
  const f = shared;
  f.seed(mixSeed(seed, globalIndex));
  const generatedVendor = `${f.company.name()} ${f.helpers.arrayElement(VENDOR_SUFFIXES)}`;
  const firstEvse = group.evses[0];
  const kind = firstEvse?.current ?? 'AC';
  const kw = firstEvse ? Math.round(firstEvse.maxPowerW / 1000) : 22;
  const generatedModel = `${kind}${kw}-${f.string.alpha({ length: 2, casing: 'upper' })}${f.number.int({ min: 1, max: 9 })}`;
  // The index makes the serial unique; the random prefix keeps serials of different runs apart.
  const serialPrefix = f.string.alphanumeric({ length: 4, casing: 'upper' });
  const firmwareVersion = `${f.system.semver()}-${f.string.hexadecimal({ length: 7, casing: 'lower', prefix: '' })}`;
  const net = f.helpers.arrayElement(NETWORKS);
  const iccidBody = `89${net.cc}${net.mnc}${f.string.numeric(18 - 2 - net.cc.length - net.mnc.length)}`;
  const imsi = `${net.mcc}${net.mnc}${f.string.numeric(10)}`;
  return {
    vendorName: (group.vendor ?? generatedVendor).slice(0, 50),
    model: (group.model ?? generatedModel).slice(0, 20),
    serialNumber: `${serialPrefix}${String(globalIndex).padStart(9, '0')}`.slice(0, 25),
    firmwareVersion: firmwareVersion.slice(0, 50),
    modem: { iccid: iccidBody + luhn(iccidBody), imsi },
  };
}

/** ICCIDs (ITU-T E.118) end in a Luhn check digit. */
function luhn(digits: string): string {
  let sum = 0;
  for (let i = digits.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
