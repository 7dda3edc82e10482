import { ATTACK_TYPES, type AttackType } from './types.js';

/**
 * Which alert categories count as detecting each attack type in strict mode, and which count as maintenance for
 * faults. Data, not code: a scenario may replace any row. Categories are compared after `normalizeCategory`, so
 * `MessageFlood`, `message-flood` and `message_flood` are the same; the type id itself (`a06`) is always allowed.
 * The A16 row carries the SecurityEventNotification types of ATTACKS.md §2 (including the 1.6 names), since a
 * CSMS that forwards those events as alerts usually names them by type.
 */
export const DEFAULT_CATEGORIES: Readonly<Record<AttackType, readonly string[]>> = Object.freeze({
  A01: ['flood', 'dos', 'ddos', 'message_flood', 'connection_flood', 'reconnect_storm', 'rate_limit', 'rate_limited', 'oversized_frame'],
  A02: ['brute_force', 'credential_brute_force', 'auth_failure', 'authentication_failure', 'identity_enumeration', 'login_failure'],
  A03: ['impersonation', 'duplicate_connection', 'duplicate_identity', 'duplicate_station', 'boot_fingerprint_mismatch', 'identity_mismatch', 'certificate_mismatch'],
  A04: ['malformed', 'malformed_frame', 'fuzzing', 'invalid_frame', 'invalid_frames', 'schema_violation', 'protocol_violation'],
  A05: ['state_abuse', 'protocol_state', 'protocol_state_abuse', 'unauthenticated_call', 'not_accepted', 'security_error'],
  A06: ['token_brute_force', 'token_enumeration', 'id_token_brute_force', 'unknown_tokens', 'auth_enumeration'],
  A07: ['token_clone', 'token_cloning', 'concurrent_tx', 'concurrent_transaction', 'geo_velocity', 'impossible_travel', 'relay'],
  A08: ['energy_theft', 'meter_tamper', 'meter_tampering', 'under_reporting', 'meter_invariant', 'meter_anomaly', 'signed_meter_value_invalid', 'billing_hold'],
  A09: ['meter_inflation', 'impossible_physics', 'meter_tamper', 'meter_tampering', 'meter_invariant', 'meter_anomaly', 'phantom_load', 'billing_hold'],
  A10: ['replay', 'tx_replay', 'reorder', 'seq_no_regression', 'seqno_regression', 'tx_lifecycle', 'lifecycle_violation', 'timestamp_regression'],
  A11: ['forged_remote_start', 'unauthorized_session', 'unauthorized_transaction', 'unknown_remote_start_id', 'tx_lifecycle', 'lifecycle_violation'],
  A12: ['load_altering', 'profile_non_compliance', 'profile_noncompliance', 'charging_profile_violation', 'grid', 'synchronized_switching', 'oscillation', 'soc_spoofing'],
  A13: ['firmware', 'firmware_downgrade', 'unsigned_firmware', 'invalid_firmware', 'invalid_firmware_signature', 'invalid_firmware_signing_certificate', 'firmware_policy'],
  A14: ['security_downgrade', 'profile_downgrade', 'security_profile_mismatch', 'profile_mismatch', 'cleartext', 'tls_downgrade', 'invalid_tls_version', 'invalid_tls_cipher_suite'],
  A15: ['certificate', 'certificate_misuse', 'pnc_misuse', 'plug_and_charge', 'certificate_revoked', 'certificate_expired', 'cert_chain_error', 'invalid_csr'],
  A16: [
    'security_event', 'tamper', 'anti_forensics', 'rogue_csms',
    'firmware_updated', 'failed_to_authenticate_at_csms', 'csms_failed_to_authenticate', 'setting_system_time',
    'startup_of_the_device', 'reset_or_reboot', 'security_log_was_cleared', 'reconfiguration_of_security_parameters',
    'memory_exhaustion', 'invalid_messages', 'attempted_replay_attacks', 'tamper_detection_activated',
    'invalid_firmware_signature', 'invalid_firmware_signing_certificate', 'invalid_csms_certificate',
    'invalid_charging_station_certificate', 'discarded_renewed_client_certificate', 'invalid_tls_version',
    'invalid_tls_cipher_suite', 'maintenance_login_accepted', 'maintenance_login_failed',
    'failed_to_authenticate_at_central_system', 'invalid_central_system_certificate', 'invalid_charge_point_certificate',
  ],
});

/** Categories that flag a fault (F01/F02) as maintenance rather than security: not false positives on faults. */
export const DEFAULT_MAINTENANCE_CATEGORIES: readonly string[] = Object.freeze([
  'maintenance', 'fault', 'hardware', 'hardware_fault', 'meter_fault', 'meter_failure', 'frozen_meter',
  'connector_fault', 'connector_faulted', 'connector_flapping', 'availability', 'predictive_maintenance',
]);

/** `TamperDetectionActivated` → `tamper_detection_activated`; `message-flood` → `message_flood`. */
export function normalizeCategory(category: string): string {
  return category
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** A compiled category table: normalised category → the attack types it may detect, plus maintenance ones. */
export interface CategoryTable {
  allows(type: AttackType, category: string): boolean;
  /** The attack types a (normalised) category names; empty when it names none. */
  typesOf(category: string): readonly AttackType[];
  isMaintenance(category: string): boolean;
}

export interface CategoryTableOptions {
  /** Rows replacing the defaults for these types. */
  categories?: Partial<Record<AttackType, readonly string[]>>;
  /** Replaces the default maintenance categories. */
  maintenance?: readonly string[];
}

/** Builds the lookup used by the scorer; normalises every entry once. */
export function categoryTable(opts: CategoryTableOptions = {}): CategoryTable {
  const byCategory = new Map<string, AttackType[]>();
  for (const type of ATTACK_TYPES) {
    const row = opts.categories?.[type] ?? DEFAULT_CATEGORIES[type];
    for (const c of [...row, type]) {
      const n = normalizeCategory(c);
      const list = byCategory.get(n) ?? [];
      if (!list.includes(type)) list.push(type);
      byCategory.set(n, list);
    }
  }
  const maintenance = new Set((opts.maintenance ?? DEFAULT_MAINTENANCE_CATEGORIES).map(normalizeCategory));
  const none: readonly AttackType[] = Object.freeze([]);
  return {
    allows: (type, category) => byCategory.get(category)?.includes(type) ?? false,
    typesOf: (category) => byCategory.get(category) ?? none,
    isMaintenance: (category) => maintenance.has(category),
  };
}
