/**
 * The validated, defaulted, frozen form of a scenario file. Everything downstream (fleet, stations, embedded
 * CSMS) reads only this type; the YAML shape is documented in docs/scenario-format.md. Produced by
 * `loadScenarioFile` / `parseScenario` (src/scenario/load.ts), deeply frozen.
 * All durations are milliseconds, powers watts, energies watt-hours.
 */

export type OcppVersion = '2.1' | '2.0.1';
export type Subprotocol = 'ocpp2.1' | 'ocpp2.0.1';
export type ValidationMode = 'strict' | 'warn' | 'off';

/** A number drawn per session: fixed, uniform [min,max], normal (mean, sd, clipped to [min,max]) or lognormal. */
export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; sd: number; min: number; max: number }
  | { kind: 'lognormal'; median: number; sigma: number; min: number; max: number };

export interface ConnectorModel {
  /** OCPP connector type string (`cType2`, `cCCS2`, `sType2`, `cCHAdeMO`, ...). */
  type: string;
}

export interface EvseModel {
  /** 'AC' or 'DC'. */
  current: 'AC' | 'DC';
  /** Rated power of the EVSE in W (AC 3-phase 22 kW = 22080 W at 32 A). */
  maxPowerW: number;
  /** AC only: number of phases (1 or 3). DC: 0 is reported as not applicable. */
  phases: 1 | 3;
  /** Nominal phase voltage (AC, V) or maximum DC voltage. */
  voltageV: number;
  connectors: readonly ConnectorModel[];
}

/**
 * What a station group does: `charging` (EIM sessions: RFID/app), `idle` (boots, heartbeats, answers, never
 * charges), and the OCPP 2.1 use cases: `plug-and-charge` (ISO 15118 contract authorisation), `v2x`
 * (bidirectional EVs), `battery-swap` (swap stations), `tariff` (EIM sessions priced locally from the CSMS's tariffs,
 * with card and web payments).
 */
export type Behaviour = 'charging' | 'idle' | 'plug-and-charge' | 'v2x' | 'battery-swap' | 'tariff';

export interface StationGroupSpec {
  name: string;
  count: number;
  /**
   * Template of station ids, `{index}` = global station index (from 0, over all groups in file order),
   * `{index:05}` zero-padded, `{group}` group name. Render with `compileIdTemplate` (stationId.ts).
   */
  idTemplate: string;
  evses: readonly EvseModel[];
  behaviour: Behaviour;
  /** behaviour `v2x` only (always present there, defaults applied): the bidirectional EV and the grid model. */
  v2x?: V2xGroupSpec;
  /** behaviour `plug-and-charge` only (always present there, defaults applied): the ISO 15118 EVs. */
  pnc?: PncGroupSpec;
  /** behaviour `battery-swap` only (always present there, defaults applied): the swap station's batteries. */
  swap?: BatterySwapGroupSpec;
  /** behaviour `tariff` only (always present there, defaults applied): local cost and the payment terminal. */
  tariff?: TariffGroupSpec;
  /** Optional fixed vendor/model overriding the faker identity. */
  vendor?: string;
  model?: string;
}

/** A `v2x` group's bidirectional EVs and simulated grid (FLOWS.md §5; YAML `stations[].v2x`). */
export interface V2xGroupSpec {
  /** The EV's own maximum discharge power (W), drawn per session. */
  dischargePowerW: Distribution;
  /** V2X cycling range of the battery (%): no discharging below `minSocPct`, no setpoint charging above `maxSocPct`. */
  minSocPct: number;
  maxSocPct: number;
  /**
   * Simulated grid excursions at the station's connection point, reported with NotifyDERAlarm: every `every` ms
   * one starts with `probability`, lasting `duration` ms.
   */
  gridEvents: { every: number; probability: number; duration: number };
}

/** A `plug-and-charge` group's ISO 15118 EVs and stations (FLOWS.md §4; YAML `stations[].pnc`). */
export interface PncGroupSpec {
  /** Contracts (eMAIDs) of the EVs that visit one station: each is installed on first visit (Get15118EVCertificate). */
  contracts: number;
  /** Share of sessions whose EV speaks ISO 15118-20 (the rest ISO 15118-2). */
  iso20Ratio: number;
  /**
   * Share of stations with ISO15118Ctrlr.CentralContractValidationAllowed = true: they send the contract chain
   * (PEM) in Authorize instead of its hash data.
   */
  centralValidationRatio: number;
}

/**
 * A `battery-swap` group's stations (FLOWS.md §6; YAML `stations[].swap`): every EVSE is a battery slot that charges
 * the battery in it at the EVSE's rating; cars arrive per the session model (`arrivalsPerEvsePerHour` per station,
 * one swap lane) and trade their depleted battery for a charged one.
 */
export interface BatterySwapGroupSpec {
  /** Slots left empty at power-up (≥ 1: a swap needs a free slot for the battery coming in). */
  emptySlots: number;
  /** Battery capacity (Wh), drawn per battery. */
  batteryWh: Distribution;
  /** SoC (%) of the stocked batteries at power-up, and of the batteries cars bring in. */
  stockSocPct: Distribution;
  arrivalSocPct: Distribution;
  /** State of health (%) of every battery, drawn once per battery. */
  sohPct: Distribution;
  /** BatterySwapCtrlr.TargetSoc: a battery is handed out from this SoC on. */
  targetSocPct: number;
  /** BatterySwapCtrlr.MaxSoc: slot charging stops here (SuspendedEVSE, EnergyLimitReached). */
  maxSocPct: number;
  /** Time (ms) the driver takes to insert the empty battery, and again to take the charged one. */
  handling: Distribution;
  /** Share of swaps whose driver never takes the charged battery: BatteryOutTimeout after `takeTimeout` ms. */
  abandonRatio: number;
  /** BatterySwapCtrlr.Timeout[In] and Timeout[Out] (ms). */
  insertTimeout: number;
  takeTimeout: number;
}

/** A `tariff` group's local cost calculation and payment terminal (FLOWS.md §7; YAML `stations[].tariff`). */
export interface TariffGroupSpec {
  /** TariffCostCtrlr.Enabled[RunningCost]: running costDetails in Updated events (always a full one in Ended). */
  runningCost: boolean;
  /** TariffCostCtrlr.Interval[RunningCost] (ms): an Updated event with trigger RunningCost this often; 0 = none. */
  runningCostInterval: number;
  /** Share of sessions paid by card at the integrated terminal (C18: DirectPayment idToken, NotifySettlement). */
  cardPaymentRatio: number;
  /** PaymentCtrlr.AuthorizationAmount: the maxCost a card session starts with. */
  authorizationAmount: number;
  /** PaymentCtrlr.AuthorizeDirectPayment: card payments are also sent in Authorize. */
  authorizeDirectPayment: boolean;
  /** Share of card sessions that ask for a company receipt (VatNumberValidation before NotifySettlement). */
  vatNumberRatio: number;
}

/**
 * The embedded CSMS's default tariff (YAML `csms.tariff`; FLOWS.md §7.1): sent with SetDefaultTariff (evseId 0)
 * after every accepted 2.1 boot, and the base of the scheduled tariff commands. Prices exclude tax.
 */
export interface CsmsTariffSpec {
  tariffId: string;
  /** ISO 4217. */
  currency: string;
  priceKwh: number;
  /** Per minute of charging time; 0 = no charging-time price. */
  chargingPriceMinute: number;
  /** Per minute of idle time once `idleGrace` (ms) of idle time has passed; 0 = no idle fee. */
  idlePriceMinute: number;
  idleGrace: number;
  /** Start fee; 0 = none. */
  fixedFee: number;
  /** VAT (%) on every component. */
  vatPercent: number;
  /** Optional energy price for a time-of-day window (local time "HH:MM", end before start wraps midnight). */
  offPeak?: { from: string; to: string; priceKwh: number };
  /** Bounds of a session's total (excl. tax); absent = none. */
  minCost?: number;
  maxCost?: number;
  /** Send SetDefaultTariff after each accepted boot (2.1). */
  afterBoot: boolean;
  /** Only to stations whose id matches one of these patterns (`*`, `?`); absent = every station. */
  match?: readonly string[];
}

export type IdTokenSource =
  | { source: 'faker'; type: string; poolSize: number }
  | { source: 'list'; tokens: readonly { idToken: string; type: string }[] };

export interface SessionModel {
  /** Mean plug-in arrivals per EVSE per hour (Poisson). */
  arrivalsPerEvsePerHour: number;
  /** Delay from plug-in to presenting the idToken (ms). */
  authorizeDelay: Distribution;
  /** How long the EV stays plugged (ms). */
  plugDuration: Distribution;
  /** Energy the driver wants (Wh); reaching it suspends charging (SuspendedEV). */
  energyWh: Distribution;
  /** Car battery capacity (Wh) and state of charge at arrival (%). */
  batteryWh: Distribution;
  initialSoc: Distribution;
  /** Car's own maximum charging power (W); the delivered power is min(EVSE, profile, car). */
  carMaxPowerW: Distribution;
  idTokens: IdTokenSource;
  /** SampledDataCtrlr.TxUpdatedInterval (ms). */
  meterInterval: number;
  /** Probability that a session ends by the driver presenting the token again instead of unplugging. */
  stopByTokenRatio: number;
}

export interface Phase {
  name: string;
  /** ms */
  duration: number;
  /** Stations connected at the end of the phase (absolute). */
  target: number;
}

export interface SecuritySpec {
  /**
   * 0 = no authentication, 1 = HTTP Basic over ws://, 2 = HTTP Basic over wss:// (TLS ≥ 1.2, server certificate),
   * 3 = mutual TLS over wss:// (client certificate per station, CN = serial number, O = organization).
   */
  profile: 0 | 1 | 2 | 3;
  /** Password for Basic auth (16..64 chars), profiles 1 and 2. The user name is the station id. */
  password?: string;
  /**
   * Profiles 2/3: PEM text of the CA certificate(s) the stations trust for the CSMS server certificate (read
   * from the `ca:` file). Absent: Node's built-in roots, or the embedded CSMS's generated CA.
   */
  ca?: string;
  /** Profile 3: `SecurityCtrlr.OrganizationName`, the O of generated station certificates (and checked by the embedded CSMS). */
  organization?: string;
  /** Profile 3: per-station certificate and key files; `{serial}` and `{id}` are replaced per station. */
  clientCert?: { cert: string; key: string };
  /** Profile 3: a CA (PEM certificate and key text) that issues each station its certificate at first connect. */
  issuer?: { cert: string; key: string };
}

export interface ReconnectSpec {
  /** OCPPCommCtrlr.RetryBackOffWaitMinimum (ms) */
  waitMinimum: number;
  /** OCPPCommCtrlr.RetryBackOffRandomRange (ms) */
  randomRange: number;
  /** OCPPCommCtrlr.RetryBackOffRepeatTimes */
  repeatTimes: number;
}

/** A command the embedded CSMS sends on a schedule, to exercise CSMS-initiated paths. */
export interface CsmsCommandSpec {
  /** First send, ms after run start. */
  at: number;
  /** Repeat period (ms); 0 = once. */
  every: number;
  action: 'RequestStartTransaction' | 'RequestStopTransaction' | 'SetChargingProfile' | 'ClearChargingProfile'
    | 'GetCompositeSchedule' | 'GetVariables' | 'SetVariables' | 'GetBaseReport' | 'TriggerMessage' | 'Reset'
    | 'ChangeAvailability' | 'UnlockConnector' | 'DataTransfer' | 'GetChargingProfiles' | 'UpdateFirmware'
    // V2X and DER control (OCPP 2.1 blocks Q and R, FLOWS.md §5)
    | 'AFRRSignal' | 'NotifyAllowedEnergyTransfer' | 'SetDERControl' | 'GetDERControl' | 'ClearDERControl'
    // battery swapping (block S, FLOWS.md §6) and periodic event streams (block N, FLOWS.md §8.4)
    | 'RequestBatterySwap' | 'SetVariableMonitoring' | 'ClearVariableMonitoring' | 'AdjustPeriodicEventStream'
    | 'GetPeriodicEventStream'
    // Tariffs, cost and payments (OCPP 2.1 blocks I and C, FLOWS.md §7)
    | 'SetDefaultTariff' | 'GetTariffs' | 'ClearTariffs' | 'ChangeTransactionTariff' | 'CostUpdated' | 'NotifyWebPaymentStarted';
  /** Fraction of connected stations (0..1] that receive it each time. */
  fraction: number;
  /** Only stations whose id matches one of these patterns (`*`, `?`) are candidates; absent = all. */
  match?: readonly string[];
  /**
   * Action-specific parameters (e.g. limitW for SetChargingProfile, requestedMessage for TriggerMessage),
   * validated and defaulted per action: see COMMAND_PARAMS (sections/commandParams.ts) and the docs table.
   */
  params: Readonly<Record<string, unknown>>;
}

export interface CsmsSpec {
  /** BootNotificationResponse.interval (s). */
  heartbeatInterval: number;
  /** Answer BootNotification with this status first (Accepted | Pending | Rejected) for the given fraction. */
  bootStatus: 'Accepted' | 'Pending' | 'Rejected';
  /** idTokens answered Blocked. */
  blockedTokens: readonly string[];
  commands: readonly CsmsCommandSpec[];
  /** The test PKI for Plug & Charge (FLOWS.md §4): shares (0..1) of contract certificates issued revoked / expired. */
  pki: { revokedContracts: number; expiredContracts: number };
  /** The CSMS's default tariff (FLOWS.md §7.1); absent = the CSMS sends no tariffs after boot. */
  tariff?: CsmsTariffSpec;
}

export type WorkKind = 'session' | 'Heartbeat' | 'Authorize' | 'MeterValues' | 'StatusNotification' | 'DataTransfer';

/** A stage of a ramping arrival rate: the rate (iterations/s) reached linearly at its end. */
export interface RateStage {
  /** ms */
  duration: number;
  /** iterations per second */
  target: number;
}

/**
 * What connected stations do (k6 executors). `sessions`: each EVSE draws Poisson plug-in arrivals from the
 * session model. Arrival-rate executors start iterations across the fleet at a rate; an arrival with no free
 * station/EVSE is dropped and counted (`dropped_iterations`), never queued. `closed-loop`: every connected
 * station iterates back to back (maximum throughput, as in the plain-ws ceiling).
 */
export interface WorkloadSpec {
  executor: 'sessions' | 'constant-arrival-rate' | 'ramping-arrival-rate' | 'per-station-rate' | 'closed-loop';
  work: WorkKind;
  /** constant-arrival-rate: iterations per second across the fleet; per-station-rate: per station. */
  rate: number;
  /** ramping-arrival-rate: rate at the start (iterations/s) and its stages, timed from the start of the run. */
  startRate: number;
  stages: readonly RateStage[];
  /** Exponential inter-arrival times instead of evenly spaced ones. */
  poisson: boolean;
  /** closed-loop: think time between a station's iterations (ms). */
  pauseMs: number;
  /**
   * per-station-rate: a late iteration waits behind the station's outstanding call (one CALL in flight per
   * connection) and is timed from its scheduled time; beyond this many waiting it is dropped and counted.
   */
  maxQueue: number;
  /** When the executor starts, ms after the run starts (k6 `startTime`): e.g. after the connection ramp. */
  startTimeMs: number;
}

/**
 * One entry of `thresholds:` as written (k6 syntax), checked for shape only: the metrics module parses the
 * expression and knows the metric names, and the scenario module may not import it, so the composition root
 * parses these with `parseThresholdEntry` and reports problems at `path`/`line`.
 */
export interface ThresholdEntrySpec {
  /** The metric selector (map key): `ocpp_call_duration{action:BootNotification}`. */
  selector: string;
  /** The entry: an expression (`p(99)<500`) or k6's object form. */
  value: string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string | number };
  /** YAML path, for messages: `thresholds.ocpp_call_failed[0]`. */
  path: string;
  /** Position of the entry in the file (1-based). */
  line?: number;
  column?: number;
}

/** The attack library's types (ATTACKS.md §3): attacks A01-A16, faults F01/F02 and benign hard negatives F03/F04. */
export const ATTACK_TYPE_IDS = Object.freeze([
  'A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10', 'A11', 'A12', 'A13', 'A14', 'A15', 'A16',
  'F01', 'F02', 'F03', 'F04',
] as const);
export type AttackTypeId = (typeof ATTACK_TYPE_IDS)[number];

/** Which stations one attack instance touches: a count, a share of the fleet, or named stations. */
export type AttackTargets =
  | { kind: 'count'; n: number }
  | { kind: 'percent'; pct: number }
  | { kind: 'ids'; ids: readonly string[] };

/**
 * One entry of `attacks:` (YAML): `instances` attack instances of one type, each with its own targets and start
 * time drawn from the seed (ATTACKS.md §4: randomise targets and start times), so a gate has enough instances.
 */
export interface AttackEntrySpec {
  /** Entry name; instance ids are `<name>-<k>` (k from 1). Defaults to the lower-case type (`a06`). */
  name: string;
  type: AttackTypeId;
  instances: number;
  /** Targets of each instance. Instances of all entries get disjoint stations while the fleet has enough. */
  targets: AttackTargets;
  /** Earliest start of an instance (ms after the run starts); never inside the detection warm-up. */
  start: number;
  /** Instance starts are spread evenly at random over [start, start + spread] (ms). */
  spread: number;
  /** How long each instance injects (ms). */
  duration: number;
  /** Malicious frames (or attempts) per second per instance; each type documents what one is. */
  rate: number;
  /** Per-type parameters, validated and defaulted by the type's table (sections/attack-params). */
  params: Readonly<Record<string, unknown>>;
}

/** Where alerts of the CSMS under test come from while the run lasts (ATTACKS.md §4 alert intake). */
export interface AlertIntakeSpec {
  /** HTTP webhook on 127.0.0.1 at this port (0 = any free port) accepting generic alert JSON and Alertmanager payloads. */
  listen?: number;
  /** A JSONL file followed as it grows. */
  file?: string;
  /** An HTTP(S) URL polled every `pollInterval` ms for a JSON array (or JSONL) of alerts. */
  poll?: string;
  pollInterval: number;
  /** Which alert fields name the alert's parts: field → dotted path(s), e.g. `station: labels.station_id`. */
  mapping: Readonly<Record<string, string | readonly string[]>>;
}

/** `detection:` — how the CSMS's alerts are collected and scored against the ground truth (ATTACKS.md §4). */
export interface DetectionSpec {
  /** Learning period of the detector: nothing is injected or scored before it ends (ms after the run starts). */
  warmup: number;
  /** δ, the clock tolerance that widens each window at its start (ms). */
  delta: number;
  /** Strict matching: an alert's category must be one the attack's type allows. */
  strict: boolean;
  /** How long to keep collecting alerts after the run (ms); undefined = the largest grace of the instances, ≤ 2 min. */
  tail?: number;
  /** An attack touching at least this many stations is matched by fleet-wide alerts. */
  fleetMinStations: number;
  alerts: AlertIntakeSpec;
  /** Category rows replacing the defaults for these types (attack type → alert categories). */
  categories: Readonly<Partial<Record<string, readonly string[]>>>;
  /** Replaces the default maintenance categories (alerts that flag F01/F02 as faults). */
  maintenance?: readonly string[];
  /** Where the ground-truth JSONL is written; `--ground-truth` overrides. */
  groundTruth?: string;
}

/** Inclusive TCP port range. */
export interface PortRange { readonly from: number; readonly to: number }

export interface ScenarioSpec {
  /** Source file (for messages). */
  file: string;
  name: string;
  /** Absent: the embedded CSMS is started in-process. */
  target?: string;
  /** Offered subprotocols in preference order. */
  protocols: readonly Subprotocol[];
  seed: number;
  validation: ValidationMode;
  /** ms */
  callTimeout: number;
  security: SecuritySpec;
  reconnect: ReconnectSpec;
  /** Handshakes in flight at once. */
  maxConnecting: number;
  /** Loopback/local source addresses to rotate over; empty = OS default. */
  localAddresses: readonly string[];
  /**
   * With `localAddresses`: the source ports a station binds, chosen from its global index (disjoint across
   * processes and shards), or `kernel` to let the OS pick one (slow past ~28k sockets on the machine).
   */
  localPorts: PortRange | 'kernel';
  groups: readonly StationGroupSpec[];
  sessions: SessionModel;
  workload: WorkloadSpec;
  phases: readonly Phase[];
  /** Sum of phase durations (ms). */
  duration: number;
  /** Time after the last phase to let in-flight calls finish and stations end transactions (ms). */
  drainTimeout: number;
  csms: CsmsSpec;
  /** `thresholds:` entries in file order; absent when the file has none. */
  thresholds?: readonly ThresholdEntrySpec[];
  /** `attacks:` entries in file order (empty when the file has none). */
  attacks: readonly AttackEntrySpec[];
  /** `detection:` with defaults; present when the file has `detection:` or `attacks:`. */
  detection?: DetectionSpec;
}

/** Total stations of a scenario. */
export function totalStations(spec: ScenarioSpec): number {
  return spec.groups.reduce((n, g) => n + g.count, 0);
}
