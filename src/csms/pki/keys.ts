import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { spkiOf } from '../../ocpp/pki/x509.js';

/** An ECDSA P-256 key pair with its SubjectPublicKeyInfo DER. */
export interface KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly spki: Buffer;
}

// Order of the P-256 group: private scalars are 1..N-1.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * A P-256 key pair derived from (seed, label): the same seed gives the same CA keys in every process, so the
 * embedded CSMS's workers, a restarted CSMS and a test that rebuilds the PKI agree on issuer name and key hashes.
 * Test keys only: anyone who knows the seed knows the private key.
 */
export function seededKeyPair(seed: number, label: string): KeyPair {
  const h = BigInt(`0x${createHash('sha256').update(`chargestorm test PKI|${seed}|${label}`).digest('hex')}`);
  const d = Buffer.from(((h % (N - 1n)) + 1n).toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey();
  const jwk = { kty: 'EC', crv: 'P-256', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') };
  const privateKey = createPrivateKey({ key: { ...jwk, d: d.toString('base64url') }, format: 'jwk' });
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  return { privateKey, publicKey, spki: spkiOf(publicKey) };
}

/** `n` bytes derived from (seed, label): serial numbers and draws that every process computes alike. */
export function seededBytes(seed: number, label: string, n: number): Buffer {
  return createHash('sha256').update(`chargestorm test PKI|${seed}|${label}`).digest().subarray(0, n);
}
