import { integer, listOf, oneOf, string } from '../../read.js';
import type { ParamTable } from '../params.js';

/** Parameters of the connection-level attacks (ATTACKS.md §3): floods, credentials, identity, pre-boot, profile. */
export const CONNECTION_PARAMS = {
  A01: {
    mode: { read: oneOf(['messages', 'reconnect', 'oversized', 'sockets'] as const), default: 'messages',
      doc: 'messages: CALLs at `rate`/s on the station\'s socket; reconnect: upgrade storm; oversized: frames of `frameBytes`; sockets: extra sockets per identity' },
    action: { read: oneOf(['Heartbeat', 'StatusNotification', 'DataTransfer'] as const), default: 'Heartbeat', doc: 'the flooding CALL (mode messages)' },
    frameBytes: { read: integer({ min: 1024, max: 64 * 1024 * 1024 }), default: 1_100_000, doc: 'frame size of mode oversized' },
  },
  A02: {
    mode: { read: oneOf(['wrong-password', 'random-identities', 'bad-certificate'] as const), default: 'wrong-password',
      doc: 'wrong-password: the target identity with wrong Basic passwords; random-identities: enumeration; bad-certificate: profile 3 with an untrusted client certificate' },
  },
  A03: {
    mode: { read: oneOf(['duplicate-connection', 'boot-fingerprint', 'certificate-cn'] as const), default: 'duplicate-connection',
      doc: 'duplicate-connection: a 2nd socket with the online station\'s credentials; boot-fingerprint: BootNotification with another serial/model; certificate-cn: profile 3 certificate whose CN is not the serial' },
  },
  A05: {
    actions: { read: listOf(oneOf(['TransactionEvent', 'MeterValues', 'Authorize', 'StatusNotification'] as const), { minItems: 1, single: true }),
      default: ['TransactionEvent', 'MeterValues', 'Authorize'], doc: 'the CALLs sent before the boot is accepted' },
  },
  A14: {
    mode: { read: oneOf(['no-credentials', 'cleartext', 'legacy-subprotocol', 'tls1.1'] as const), default: 'no-credentials',
      doc: 'no-credentials: upgrade without Basic auth; cleartext: ws:// to a TLS CSMS; legacy-subprotocol: offers only ocpp1.6; tls1.1: TLS below 1.2' },
    subprotocol: { read: string({ maxLength: 20 }), default: 'ocpp1.6', doc: 'the legacy subprotocol offered (mode legacy-subprotocol)' },
  },
} as const satisfies Record<string, ParamTable>;
