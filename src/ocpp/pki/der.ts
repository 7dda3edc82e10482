/**
 * A minimal ASN.1 DER codec (X.690): enough to build and read X.509 certificates, PKCS#10 requests and OCSP
 * responses (x509.ts, csms/pki/). Encoders return complete TLVs as Buffers; the reader walks a buffer
 * without copying. Only definite lengths and single-byte tags (tag numbers < 31), which is all these formats use.
 */

/** Universal and context tags used by the certificate formats. */
export const Tag = Object.freeze({
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, ENUMERATED: 0x0a,
  UTF8: 0x0c, PRINTABLE: 0x13, IA5: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, SEQUENCE: 0x30, SET: 0x31,
} as const);

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: `tag` byte, DER length, `content`. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export function seq(...items: Buffer[]): Buffer { return tlv(Tag.SEQUENCE, Buffer.concat(items)); }

/** SET OF, elements sorted by their encodings as DER requires. */
export function setOf(...items: Buffer[]): Buffer { return tlv(Tag.SET, Buffer.concat([...items].sort(Buffer.compare))); }

/** [n] EXPLICIT: a constructed context tag around a complete TLV. */
export function explicit(n: number, inner: Buffer): Buffer { return tlv(0xa0 | n, inner); }

/** [n] IMPLICIT of a primitive type: the content with a context tag. */
export function implicit(n: number, content: Buffer, constructed = false): Buffer { return tlv((constructed ? 0xa0 : 0x80) | n, content); }

/** A non-negative INTEGER from a bigint, a safe integer, or big-endian magnitude bytes. */
export function int(v: bigint | number | Buffer): Buffer {
  let b: Buffer;
  if (Buffer.isBuffer(v)) b = v;
  else {
    let hex = BigInt(v).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    b = Buffer.from(hex, 'hex');
  }
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = Buffer.from([0]);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(Tag.INTEGER, b);
}

export function enumerated(n: number): Buffer { return tlv(Tag.ENUMERATED, Buffer.from([n])); }

export function bool(v: boolean): Buffer { return tlv(Tag.BOOLEAN, Buffer.from([v ? 0xff : 0])); }

export function nul(): Buffer { return Buffer.from([Tag.NULL, 0]); }

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const out: number[] = [Number(parts[0]! * 40n + parts[1]!)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    let v = p;
    do { chunk.unshift(Number(v & 0x7fn)); v >>= 7n; } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(Tag.OID, Buffer.from(out));
}

export function octets(b: Buffer): Buffer { return tlv(Tag.OCTET_STRING, b); }

/** BIT STRING of whole bytes, or with `unused` trailing bits of the last byte (key usage flags). */
export function bits(b: Buffer, unused = 0): Buffer { return tlv(Tag.BIT_STRING, Buffer.concat([Buffer.from([unused]), b])); }

export function utf8(s: string): Buffer { return tlv(Tag.UTF8, Buffer.from(s, 'utf8')); }
export function printable(s: string): Buffer { return tlv(Tag.PRINTABLE, Buffer.from(s, 'ascii')); }
export function ia5(s: string): Buffer { return tlv(Tag.IA5, Buffer.from(s, 'ascii')); }

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (whole seconds, as RFC 5280 and RFC 6960 want). */
export function generalizedTime(ms: number): Buffer { return tlv(Tag.GENERALIZED_TIME, Buffer.from(stamp(ms), 'ascii')); }

/** RFC 5280 Time: UTCTime for years 1950-2049, GeneralizedTime otherwise. */
export function x509Time(ms: number): Buffer {
  const y = new Date(ms).getUTCFullYear();
  if (y >= 1950 && y < 2050) return tlv(Tag.UTC_TIME, Buffer.from(stamp(ms).slice(2), 'ascii'));
  return generalizedTime(ms);
}

// ------------------------------------------------------------------------------------------------ reading

/** One TLV inside `buf`: `start` is where its tag is, `body` where its content starts, `end` just past it. */
export interface DerNode {
  readonly buf: Buffer;
  readonly tag: number;
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

/** A malformed DER input. */
export class DerError extends Error {}

/** Reads the TLV at `offset`. */
export function readNode(buf: Buffer, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw new DerError('truncated DER');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let len = buf[offset + 1]!;
  let body = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported DER length');
    if (body + n > buf.length) throw new DerError('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[body + i]!;
    body += n;
  }
  const end = body + len;
  if (end > buf.length) throw new DerError('DER value runs past the end');
  return { buf, tag, start: offset, body, end };
}

/** The TLVs inside a constructed node, in order. */
export function children(n: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let at = n.body; at < n.end;) {
    const c = readNode(n.buf, at);
    out.push(c);
    at = c.end;
  }
  return out;
}

/** The content bytes of a node (a view, not a copy). */
export function contentOf(n: DerNode): Buffer { return n.buf.subarray(n.body, n.end); }

/** The whole TLV of a node (a view). */
export function rawOf(n: DerNode): Buffer { return n.buf.subarray(n.start, n.end); }

/** The node's child at `i`, with an optional expected tag. */
export function child(n: DerNode, i: number, tag?: number): DerNode {
  const c = children(n)[i];
  if (!c) throw new DerError(`missing element ${i}`);
  if (tag !== undefined && c.tag !== tag) throw new DerError(`element ${i}: tag 0x${c.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return c;
}

export function readOid(n: DerNode): string {
  const b = contentOf(n);
  const out: bigint[] = [];
  let v = 0n;
  for (let i = 0; i < b.length; i++) {
    v = (v << 7n) | BigInt(b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (out.length === 0) { const first = v < 80n ? v / 40n : 2n; out.push(first, v - first * 40n); } else out.push(v);
      v = 0n;
    }
  }
  return out.join('.');
}

/** UTCTime / GeneralizedTime → epoch ms. */
export function readTime(n: DerNode): number {
  const s = contentOf(n).toString('ascii');
  const full = n.tag === Tag.UTC_TIME ? `${Number(s.slice(0, 2)) >= 50 ? '19' : '20'}${s}` : s;
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(full);
  if (!m) throw new DerError(`unsupported time ${s}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
