import { systemClock, type Clock } from '../util/clock.js';
import { IdSource } from '../util/ids.js';
import { ToolError, ExitCode } from '../util/errors.js';
import type { CallOutcome, SessionObserver } from '../ocpp/session.js';
import type { RpcErrorCode } from '../ocpp/errors.js';
import { DEFAULTS } from '../scenario/defaults.js';
import type { CsmsSpec, SecuritySpec, Subprotocol, ValidationMode } from '../scenario/spec.js';
import { TLS_SERVER_NAMES, TlsPki } from './pki/tls.js';
import { resolveDetectorOptions, type DetectorOptions, type ResolvedDetectorOptions } from './detector/options.js';

export type CsmsLogLevel = 'debug' | 'info' | 'warn';
/** Free-text sink for what the CSMS does (connections, refusals, schedule firings). */
export type CsmsLog = (level: CsmsLogLevel, message: string) => void;

/**
 * Optional hooks for the composition root (metrics): the session-level events of every connection plus
 * connection changes. Every method is optional; the CSMS keeps its own counters either way (`Csms.stats()`).
 */
export interface CsmsObserver {
  callDone?(action: string, intendedUs: number, sentUs: number, doneUs: number, outcome: CallOutcome): void;
  incomingDone?(action: string, code: RpcErrorCode | null): void;
  protocolEvent?(kind: Parameters<SessionObserver['protocolEvent']>[0], detail: string): void;
  /** A station's WebSocket opened (`open` true) or closed. */
  connection?(stationId: string, open: boolean): void;
}

export interface CsmsOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = ephemeral port. */
  port?: number;
  /** Subprotocols offered, in preference order. Default ['ocpp2.1', 'ocpp2.0.1']. */
  protocols?: readonly Subprotocol[];
  /** Validation of incoming CALLs and of our own frames. Default 'strict'. */
  validation?: ValidationMode;
  /** Timeout of CSMS→station calls (ms). Default 30 s. */
  callTimeoutMs?: number;
  /**
   * Profile 1: HTTP Basic, user = identity, password must match, otherwise HTTP 401. Profile 2: the same over
   * wss://. Profile 3: wss:// with mutual TLS (client certificate chained to the CA, CN = the serial number the
   * station boots with, O = `security.organization` when given). Default profile 0.
   */
  security?: SecuritySpec;
  /**
   * Profiles 2/3: server certificate and key, and the CA(s) client certificates must chain to (PEM text).
   * Default: a TLS test PKI generated at start (`Csms.tls`).
   */
  tls?: { cert: string; key: string; ca?: string };
  /** Behaviour (heartbeat interval, boot status, blocked tokens, command schedule); missing keys take the scenario defaults. */
  spec?: Partial<CsmsSpec>;
  /**
   * `interval` (s) in a Pending/Rejected BootNotificationResponse: when the station should try again. Default
   * min(heartbeatInterval, 10) — load-test runs last minutes, not hours.
   */
  bootRetryInterval?: number;
  /** Unknown identities are refused with HTTP 404 (FLOWS.md §1.1). Default: every identity is known. */
  knownStations?: (id: string) => boolean;
  clock?: Clock;
  /** Message ids of CSMS→station calls. Default: a fresh prefixed counter. */
  ids?: IdSource;
  /** Seed of the deterministic choice of stations for scheduled commands. Default 1. */
  seed?: number;
  observer?: CsmsObserver;
  log?: CsmsLog;
  /** Period of the one shared tick driving the schedule and the liveness scan (ms). Default 100. */
  tickMs?: number;
  /** A station silent for longer than this many heartbeat intervals counts as stale. Default 3. */
  staleAfterIntervals?: number;
  /** Real-time anomaly detector with alert sinks (docs/csms-detector.md). Default off. */
  detector?: DetectorOptions;
}

/** Options with every default applied. */
export interface ResolvedCsmsOptions {
  readonly host: string;
  readonly port: number;
  readonly protocols: readonly Subprotocol[];
  readonly validation: ValidationMode;
  readonly callTimeoutMs: number;
  readonly security: SecuritySpec;
  /** Null for profiles 0/1. */
  readonly tls: ResolvedTls | null;
  readonly spec: CsmsSpec;
  readonly bootRetryInterval: number;
  readonly knownStations: ((id: string) => boolean) | undefined;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly seed: number;
  readonly observer: CsmsObserver;
  readonly log: CsmsLog;
  readonly tickMs: number;
  readonly staleAfterIntervals: number;
  /** Null when the detector is off. */
  readonly detector: ResolvedDetectorOptions | null;
}

/** The TLS the CSMS serves with (profiles 2/3). */
export interface ResolvedTls {
  readonly cert: string;
  readonly key: string;
  /** CA certificate(s) client certificates must chain to (profile 3); stations should trust `pki.ca` when generated. */
  readonly clientCa: string;
  /** The generated test PKI, or null when certificate files were given. */
  readonly pki: TlsPki | null;
}

const NO_LOG: CsmsLog = () => {};

function resolveTls(o: CsmsOptions, security: SecuritySpec): ResolvedTls | null {
  if (security.profile < 2) {
    if (o.tls !== undefined) throw new ToolError('E_CSMS_CONFIG', 'TLS certificates need security profile 2 or 3', ExitCode.invalidInput);
    return null;
  }
  // Client certificates may come from the PKI below, the scenario's issuing CA, or the CA given with the server certificate.
  const extra = [security.issuer?.cert, security.ca].filter((x): x is string => x !== undefined);
  if (o.tls !== undefined) {
    if (security.profile === 3 && o.tls.ca === undefined && extra.length === 0) {
      throw new ToolError('E_CSMS_CONFIG', 'security profile 3 needs the CA that client certificates must chain to', ExitCode.invalidInput);
    }
    return { cert: o.tls.cert, key: o.tls.key, clientCa: [o.tls.ca, ...extra].filter(Boolean).join('\n'), pki: null };
  }
  const pki = TlsPki.generate({ serverNames: [...new Set([...TLS_SERVER_NAMES, o.host ?? '127.0.0.1'])] });
  return { cert: pki.server.certPem, key: pki.server.keyPem, clientCa: [pki.ca.certPem, ...extra].join('\n'), pki };
}

export function resolveOptions(o: CsmsOptions): ResolvedCsmsOptions {
  const spec: CsmsSpec = { ...DEFAULTS.csms, ...o.spec };
  const security = o.security ?? DEFAULTS.security;
  if ((security.profile === 1 || security.profile === 2) && !security.password) {
    throw new ToolError('E_CSMS_CONFIG', `security profile ${security.profile} needs a Basic-auth password`, ExitCode.invalidInput);
  }
  const tls = resolveTls(o, security);
  const protocols = o.protocols ?? DEFAULTS.protocols;
  if (protocols.length === 0) throw new ToolError('E_CSMS_CONFIG', 'the CSMS must offer at least one subprotocol', ExitCode.invalidInput);
  const seed = o.seed ?? DEFAULTS.seed;
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    protocols,
    validation: o.validation ?? DEFAULTS.validation,
    callTimeoutMs: o.callTimeoutMs ?? DEFAULTS.callTimeout,
    security,
    tls,
    spec,
    bootRetryInterval: Math.max(1, Math.round(o.bootRetryInterval ?? Math.min(spec.heartbeatInterval, 10))),
    knownStations: o.knownStations,
    clock: o.clock ?? systemClock,
    ids: o.ids ?? new IdSource(),
    seed,
    observer: o.observer ?? {},
    log: o.log ?? NO_LOG,
    tickMs: o.tickMs ?? 100,
    staleAfterIntervals: o.staleAfterIntervals ?? 3,
    detector: resolveDetectorOptions(o.detector, seed),
  };
}
