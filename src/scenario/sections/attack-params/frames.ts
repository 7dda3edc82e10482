import { integer, listOf, oneOf, string } from '../../read.js';
import { bool, type ParamTable } from '../params.js';

/** Malformed-frame cases of A04 (ATTACKS.md §3) and the CALLERROR each must get. */
export const FUZZ_CASES = [
  'non-json', 'wrong-arity', 'unknown-type', 'misused-type', 'unknown-action', 'type-violation', 'missing-required',
  'enum-violation', 'max-length', 'far-future-timestamp', 'deep-nesting',
] as const;

/** SecurityEventNotification types of ATTACKS.md §2 that A16 may send. */
export const SECURITY_EVENTS = [
  'FirmwareUpdated', 'FailedToAuthenticateAtCsms', 'CsmsFailedToAuthenticate', 'SettingSystemTime', 'StartupOfTheDevice',
  'ResetOrReboot', 'SecurityLogWasCleared', 'ReconfigurationOfSecurityParameters', 'MemoryExhaustion', 'InvalidMessages',
  'AttemptedReplayAttacks', 'TamperDetectionActivated', 'InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate',
  'InvalidCsmsCertificate', 'InvalidChargingStationCertificate', 'DiscardedRenewedClientCertificate', 'InvalidTLSVersion',
  'InvalidTLSCipherSuite', 'MaintenanceLoginAccepted', 'MaintenanceLoginFailed',
] as const;

/** Parameters of the frame-level attacks: malformed frames, tokens, replay, forged starts, firmware, certificates, events. */
export const FRAME_PARAMS = {
  A04: {
    cases: { read: listOf(oneOf(FUZZ_CASES), { minItems: 1, single: true }), default: [...FUZZ_CASES], doc: 'the malformed-frame cases, sent round robin' },
  },
  A06: {
    tokenType: { read: oneOf(['ISO14443', 'ISO15693', 'eMAID', 'KeyCode'] as const), default: 'ISO14443', doc: 'kind of idToken guessed' },
    uidBytes: { read: oneOf([4, 7] as const), default: 4, doc: 'ISO14443 UID length in bytes' },
    sequential: { read: bool, default: false, doc: 'guess consecutive UIDs instead of random ones' },
    via: { read: oneOf(['Authorize', 'TransactionEvent'] as const), default: 'Authorize', doc: 'Authorize, or TransactionEvent Started with the guessed token' },
  },
  A10: {
    mode: { read: oneOf(['replay', 'seqno-regression', 'ended-twice', 'started-after-ended', 'stale-online'] as const), default: 'replay',
      doc: 'replay: a captured TransactionEvent re-sent with a new messageId and changed meter data; seqno-regression; ended-twice; started-after-ended; stale-online: old timestamps with offline=false' },
  },
  A11: {
    mode: { read: oneOf(['unknown-remote-start-id', 'charging-without-authorization', 'no-authorization-token'] as const), default: 'unknown-remote-start-id',
      doc: 'how the session is forged' },
  },
  A13: {
    mode: { read: oneOf(['downgrade-boot', 'unsolicited-status', 'invalid-signature'] as const), default: 'downgrade-boot',
      doc: 'downgrade-boot: reboot reporting an older firmware; unsolicited-status: FirmwareStatusNotification Installed nobody asked for; invalid-signature: InvalidSignature + SecurityEvent InvalidFirmwareSignature' },
    firmwareVersion: { read: string({ maxLength: 50 }), default: 'older',
      doc: "the version reported (downgrade-boot): 'older' = one below the station's own version, or an explicit version" },
  },
  A15: {
    mode: { read: oneOf(['revoked-contract', 'expired-contract', 'wrong-chain', 'emaid-mismatch', 'csr-cn-mismatch', 'ev-certificate-flood'] as const), default: 'revoked-contract',
      doc: 'revoked-contract / expired-contract: Authorize with the hash data of a revoked / expired contract; wrong-chain: hash data of an unknown issuer; emaid-mismatch: a victim eMAID with the attacker\'s contract chain; csr-cn-mismatch: SignCertificate with CN ≠ serial; ev-certificate-flood: Get15118EVCertificate with garbage exiRequest' },
  },
  A16: {
    events: { read: listOf(oneOf(SECURITY_EVENTS), { minItems: 1, single: true }), default: ['TamperDetectionActivated'], doc: 'SecurityEventNotification types sent round robin' },
    burst: { read: integer({ min: 1, max: 1000 }), default: 1, doc: 'events per attempt' },
  },
} as const satisfies Record<string, ParamTable>;
