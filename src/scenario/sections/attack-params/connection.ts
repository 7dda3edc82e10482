import { integer, listOf, oneOf, string } from '../../read.js';
import type { ParamTable } from '../params.js';

/** Parameters of the connection-level attacks (ATTACKS.md §3): floods, credentials, identity, pre-boot, profile. */
export const CONNECTION_PARAMS = {
  A01: {
    mode: { read: oneOf(['messages', 'reconnect', 'oversized', 'sockets'] as const), default: 'messages',
      doc: 'messages: `rate` CALLs/s written onto the station\'s own socket without waiting for answers; reconnect: `rate` upgrades/s for the identity (the station is dropped first); oversized: `rate` frames/s of `frameBytes` while the station is connected; sockets: `rate` extra sockets/s for the online identity' },
    action: { read: oneOf(['Heartbeat', 'StatusNotification', 'DataTransfer'] as const), default: 'Heartbeat', doc: 'the flooding CALL (mode messages)' },
    frameBytes: { read: integer({ min: 1024, max: 64 * 1024 * 1024 }), default: 1_100_000, doc: 'frame size of mode oversized' },
  },
  A02: {
    mode: { read: oneOf(['wrong-password', 'random-identities', 'bad-certificate'] as const), default: 'wrong-password',
      doc: 'wrong-password: the target identity with wrong Basic passwords; random-identities: enumeration; bad-certificate: profile 3 with an untrusted client certificate' },
  },
  A03: {
    mode: { read: oneOf(['duplicate-connection', 'boot-fingerprint', 'certificate-cn'] as const), default: 'duplicate-connection',
      doc: 'duplicate-connection: `rate` 2nd sockets/s with the online station\'s credentials; boot-fingerprint: the station reboots and boots with another serial/model (retrying at the CSMS\'s interval); certificate-cn: profile 3, `rate` upgrades/s with a certificate of the scenario\'s CA whose CN is another serial' },
  },
  A05: {
    actions: { read: listOf(oneOf(['TransactionEvent', 'MeterValues', 'Authorize', 'StatusNotification'] as const), { minItems: 1, single: true }),
      default: ['TransactionEvent', 'MeterValues', 'Authorize'], doc: 'the CALLs (in turn, `rate`/s) a never-booted identity sends from the target\'s address' },
  },
  A14: {
    mode: { read: oneOf(['no-credentials', 'cleartext', 'legacy-subprotocol', 'tls1.1'] as const), default: 'no-credentials',
      doc: '`rate` upgrades/s with the target\'s identity. no-credentials: no Basic auth (profile 3: no client certificate); cleartext: ws:// to a TLS CSMS; legacy-subprotocol: offers only `subprotocol`; tls1.1: TLS below 1.2' },
    subprotocol: { read: string({ maxLength: 20 }), default: 'ocpp1.6', doc: 'the legacy subprotocol offered (mode legacy-subprotocol)' },
  },
} as const satisfies Record<string, ParamTable>;
