import { deepFreeze } from './freeze.js';
import type { BatterySwapGroupSpec, Behaviour, CsmsTariffSpec, EvseModel, PncGroupSpec, ScenarioSpec, TariffGroupSpec, V2xGroupSpec } from './spec.js';

/**
 * Every default of the scenario format, in spec units (ms, W, Wh, %), in one frozen object. The reference in
 * docs/scenario-format.md lists the same values and a test checks that its "defaults spelled out" example
 * parses to exactly what a minimal file gets.
 */
export interface ScenarioDefaults extends Pick<ScenarioSpec,
  'protocols' | 'seed' | 'validation' | 'callTimeout' | 'maxConnecting' | 'localAddresses' | 'localPorts' | 'security' | 'reconnect'
  | 'sessions' | 'drainTimeout' | 'csms'> {
  group: {
    /** Used when the file has one group; `{index}` is the global station index, from 0. */
    idTemplate: string;
    /** Used when the file has several groups, so ids stay readable per group. */
    idTemplateMultiGroup: string;
    /** Unnamed groups are called `group1`, `group2`, ... (1-based position in the file). */
    namePrefix: string;
    evses: number;
    behaviour: Behaviour;
  };
  /** EVSE model per current type, before the file's `evse` keys are applied. */
  evse: { AC: EvseModel; DC: EvseModel };
  /** `stations[].v2x` of a `v2x` group. */
  v2x: V2xGroupSpec;
  /** `stations[].pnc` of a `plug-and-charge` group. */
  pnc: PncGroupSpec;
  /** `stations[].swap` of a `battery-swap` group. */
  swap: BatterySwapGroupSpec;
  /** `stations[].tariff` of a `tariff` group. */
  tariff: TariffGroupSpec;
  /** `csms.tariff` keys left out (the section itself is optional). */
  csmsTariff: CsmsTariffSpec;
  /** Run length when neither `phases` nor `duration` is given. */
  duration: number;
  /** How `duration:` is split into ramp-up / hold / ramp-down. */
  phases: { rampUpShare: number; rampDownShare: number; names: readonly [string, string, string] };
  command: { every: number; fraction: number };
}

export const DEFAULTS: ScenarioDefaults = deepFreeze<ScenarioDefaults>({
  protocols: ['ocpp2.1', 'ocpp2.0.1'],
  // Fixed rather than random so two runs of one file drive identical stations (ids, identities, sessions).
  seed: 1,
  validation: 'strict',
  callTimeout: 30_000,
  // Enough to connect 10,000 stations in a few seconds on loopback without a SYN-flood look on the CSMS.
  maxConnecting: 256,
  localAddresses: [],
  // Above the registered-services range, through the top: 8 source addresses give ~445k stations.
  localPorts: { from: 10_000, to: 65_535 },
  security: { profile: 0 },
  // Shorter than the OCPP example (10 s / 10 s / 3) because load-test runs last minutes, not days;
  // the random part still spreads a fleet's reconnects after a CSMS restart (FLOWS §1.6).
  reconnect: { waitMinimum: 2_000, randomRange: 3_000, repeatTimes: 3 },
  group: {
    idTemplate: 'CS{index:06}',
    idTemplateMultiGroup: '{group}-CS{index:06}',
    namePrefix: 'group',
    evses: 1,
    behaviour: 'charging',
  },
  evse: {
    AC: { current: 'AC', maxPowerW: 22_000, phases: 3, voltageV: 230, connectors: [{ type: 'cType2' }] },
    // `phases` has no meaning for DC; 3 keeps the type simple and is never reported.
    DC: { current: 'DC', maxPowerW: 150_000, phases: 3, voltageV: 1000, connectors: [{ type: 'cCCS2' }] },
  },
  // Compressed sessions: a default run is one minute long, so an EV stays tens of seconds, not hours.
  sessions: {
    arrivalsPerEvsePerHour: 60,
    authorizeDelay: { kind: 'uniform', min: 1_000, max: 5_000 },
    plugDuration: { kind: 'uniform', min: 30_000, max: 90_000 },
    energyWh: { kind: 'uniform', min: 5_000, max: 40_000 },
    batteryWh: { kind: 'uniform', min: 40_000, max: 100_000 },
    initialSoc: { kind: 'uniform', min: 10, max: 60 },
    carMaxPowerW: { kind: 'uniform', min: 11_000, max: 150_000 },
    idTokens: { source: 'faker', type: 'ISO14443', poolSize: 10_000 },
    meterInterval: 10_000,
    stopByTokenRatio: 0.3,
  },
  // A bidirectional wallbox / DC unit discharges at 7-11 kW; grid excursions only when a scenario asks for them.
  v2x: {
    dischargePowerW: { kind: 'uniform', min: 7_000, max: 11_000 },
    minSocPct: 20,
    maxSocPct: 90,
    gridEvents: { every: 10_000, probability: 0, duration: 5_000 },
  },
  // Plug & Charge: a few regular EVs per station; ISO 15118-20 still the minority; stations validate contracts
  // through the CSMS by hash data (OCSP) unless a scenario gives them CentralContractValidationAllowed.
  pnc: { contracts: 4, iso20Ratio: 0.3, centralValidationRatio: 0 },
  // Battery swap: car-sized packs, a rack mostly charged at power-up, drivers that swap in seconds and always take
  // their battery; timeouts short enough to matter in a minute-long run.
  swap: {
    emptySlots: 1,
    batteryWh: { kind: 'uniform', min: 40_000, max: 75_000 },
    stockSocPct: { kind: 'uniform', min: 60, max: 100 },
    arrivalSocPct: { kind: 'uniform', min: 5, max: 30 },
    sohPct: { kind: 'uniform', min: 80, max: 100 },
    targetSocPct: 80,
    maxSocPct: 95,
    handling: { kind: 'uniform', min: 2_000, max: 5_000 },
    abandonRatio: 0,
    insertTimeout: 30_000,
    takeTimeout: 20_000,
  },
  // Local cost: running cost in every Updated event, no extra RunningCost events; card payments only when asked.
  tariff: { runningCost: true, runningCostInterval: 0, cardPaymentRatio: 0, authorizationAmount: 50, authorizeDirectPayment: false, vatNumberRatio: 0 },
  // FLOWS.md §7.1's example tariff: 0.45 EUR/kWh, a 0.35 start fee, 21 % VAT; no idle fee unless asked.
  csmsTariff: {
    tariffId: 'Default01', currency: 'EUR', priceKwh: 0.45, chargingPriceMinute: 0, idlePriceMinute: 0, idleGrace: 0, fixedFee: 0.35,
    vatPercent: 21, afterBoot: true,
  },
  duration: 60_000,
  phases: { rampUpShare: 0.25, rampDownShare: 0.1, names: ['ramp-up', 'hold', 'ramp-down'] },
  drainTimeout: 10_000,
  csms: { heartbeatInterval: 60, bootStatus: 'Accepted', blockedTokens: [], commands: [], pki: { revokedContracts: 0, expiredContracts: 0 } },
  command: { every: 0, fraction: 1 },
});
