import type { AuthDecision } from '../../ocpp/transport.js';
import type { CertificateRule } from '../auth.js';
import { Category } from './alert.js';
import { connEntity, type Ctx } from './context.js';
import { Leaky, reached, TokenBucket } from './primitives.js';
import type { StationDet } from './station.js';

/** What the link does with a frame the detector looked at. */
export const FrameVerdict = Object.freeze({ Ok: 0, Drop: 1, Close1008: 2, Close1009: 3 } as const);
export type FrameVerdict = (typeof FrameVerdict)[keyof typeof FrameVerdict];

/** IPs tracked at most; beyond it the ones idle longest are forgotten (a spoofed-source flood cannot grow it). */
const MAX_IPS = 10_000;
/** Identities with failed logins tracked at most (A02 enumeration tries random identities). */
const MAX_FAILED_IDS = 10_000;
/** TLS verify errors of a client certificate that does not chain to our CA (an attacker's own, A02). */
const UNTRUSTED_ISSUER: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE',
]);
/** Distinct identities remembered per IP for the enumeration rule. */
const IDS_PER_IP = 16;

/** Per source address: message and upgrade buckets, refused upgrades, failed logins and the identities tried. */
export class IpState {
  readonly msgBucket: TokenBucket;
  readonly flood: Leaky;
  readonly upgrades: TokenBucket;
  readonly refusals: Leaky;
  readonly fails: Leaky;
  failedIds: string[] = [];
  lastMs: number;
  constructor(readonly ip: string, ctx: Ctx, nowMs: number) {
    const t = ctx.t;
    this.msgBucket = new TokenBucket(t.ipMsgRate, t.ipMsgBurst, nowMs);
    this.flood = new Leaky(t.floodTauMs);
    this.upgrades = new TokenBucket(t.ipUpgradeRate, t.ipUpgradeBurst, nowMs);
    this.refusals = new Leaky(t.floodTauMs);
    this.fails = new Leaky(t.authTauMs);
    this.lastMs = nowMs;
  }
}

/**
 * L0 enforcement state that is not per identity (ATTACKS.md §5 L0): per-IP buckets and login failures, failures
 * per unknown identity. Bounded maps; each entry is a few numbers.
 */
export class Enforcer {
  private readonly ips = new Map<string, IpState>();
  private readonly failedIds = new Map<string, Leaky>();

  constructor(private readonly ctx: Ctx) {}

  get trackedIps(): number { return this.ips.size; }

  ip(ip: string, nowMs: number): IpState {
    let s = this.ips.get(ip);
    if (s === undefined) {
      if (this.ips.size >= MAX_IPS) this.evictIps(nowMs);
      s = new IpState(ip, this.ctx, nowMs);
      this.ips.set(ip, s);
    }
    s.lastMs = nowMs;
    return s;
  }

  private evictIps(nowMs: number): void {
    for (const [k, v] of this.ips) if (nowMs - v.lastMs > 600_000) this.ips.delete(k);
    // Still full: drop the oldest-inserted quarter (Map iteration order).
    if (this.ips.size >= MAX_IPS) {
      let n = MAX_IPS >> 2;
      for (const k of this.ips.keys()) { this.ips.delete(k); if (--n <= 0) break; }
    }
  }

  /**
   * Upgrade request (A01 reconnect storms, A02, A14): upgrade buckets per IP and per known identity (→ 429),
   * login failures per IP / identity / distinct identities per IP, missing credentials where a profile requires
   * them, a station that used credentials before and now comes without, legacy-only subprotocol offers.
   */
  upgrade(sd: StationDet | undefined, identity: string, ipAddr: string, authorization: string | undefined, offered: string | undefined,
    decision: AuthDecision, profile: number, ours: readonly string[], nowMs: number): AuthDecision {
    const ctx = this.ctx;
    const t = ctx.t;
    const ip = this.ip(ipAddr, nowMs);
    const entity = { stationId: identity, ip: ipAddr };
    if (!ip.upgrades.take(nowMs)) {
      ctx.actions.upgrades429++;
      if (reached(ip.refusals.add(nowMs), t.upgradeAlertAfter * 4)) {
        ctx.alert(nowMs, Category.flood, 'high', { ip: ipAddr }, { rule: 'L0.upgrade-rate-ip', rate: t.ipUpgradeRate, burst: t.ipUpgradeBurst, lastIdentity: identity });
      }
      return 429;
    }
    if (sd !== undefined && !sd.upgrades.take(nowMs)) {
      ctx.actions.upgrades429++;
      // A throttled upgrade with wrong credentials is still a guess (A02): the login rules judge it, not the flood rule.
      if (decision !== 'accept') {
        if (decision === 401 || decision === 404) this.loginFailed(ip, identity, nowMs);
        return 429;
      }
      if (reached(sd.upgradeRefusals.add(nowMs), t.upgradeAlertAfter)) {
        ctx.alert(nowMs, Category.flood, 'high', entity, { rule: 'L0.upgrade-rate-identity', rate: t.stationUpgradeRate, burst: t.stationUpgradeBurst });
      }
      return 429;
    }
    if (offered !== undefined) {
      const list = offered.split(',').map((s) => s.trim().toLowerCase());
      if (!list.some((p) => ours.includes(p)) && list.some((p) => /^ocpp1\./.test(p))) {
        ctx.alert(nowMs, Category.profileDowngrade, 'medium', entity, { rule: 'L0.legacy-subprotocol-only', offered: list });
      }
    }
    const hasCreds = authorization !== undefined;
    if (decision === 401 || decision === 404) {
      // 404: an identity the CSMS does not know (knownStations) — enumeration counts like a wrong password.
      if (decision === 401 && !hasCreds && profile >= 1) {
        ctx.alert(nowMs, Category.profileDowngrade, 'medium', entity, { rule: 'L0.missing-credentials', securityProfile: profile });
      }
      this.loginFailed(ip, identity, nowMs);
      return decision;
    }
    if (decision === 'accept' && sd !== undefined) {
      if (sd.basic === true && !hasCreds) {
        ctx.alert(nowMs, Category.profileDowngrade, 'high', entity, { rule: 'L0.credentials-dropped', securityProfile: profile });
      }
      sd.basic = hasCreds;
    }
    return decision;
  }

  /**
   * A TLS handshake the server refused (profiles 2/3; no identity is known yet): a ws:// client on the TLS port
   * or TLS below 1.2 is a downgrade (A14, A00.FR.001-003, TLS ≥ 1.2).
   */
  tlsRefused(ipAddr: string, refusal: string, profile: number, nowMs: number): void {
    if (refusal === 'plaintext' || refusal === 'tls-version') {
      this.ip(ipAddr, nowMs);
      const rule = refusal === 'plaintext' ? 'L0.cleartext' : 'L0.tls-version';
      this.ctx.alert(nowMs, Category.profileDowngrade, 'high', { ip: ipAddr }, { rule, securityProfile: profile });
    }
  }

  /**
   * Profile 3, client certificate refused at the upgrade: none (a downgrade to Basic or nothing, A14); not
   * verified (unknown CA, expired: A15, and a failed login of its IP and identity, A02); CN ≠ the serial number
   * the identity booted with (impersonation, A03); wrong O (A15).
   */
  certificateRefused(identity: string, ipAddr: string, rule: CertificateRule, evidence: Record<string, unknown>, nowMs: number): void {
    const ctx = this.ctx;
    const entity = { stationId: identity, ...(ipAddr ? { ip: ipAddr } : {}) };
    switch (rule) {
      case 'L0.missing-client-certificate':
        ctx.alert(nowMs, Category.profileDowngrade, 'medium', entity, { rule, securityProfile: 3, ...evidence });
        return;
      case 'L0.client-certificate-rejected':
        // Not issued by our CA at all: a credential guess (A02), judged by the failed-login counters alone. Ours
        // but expired (or otherwise unusable): a certificate problem of the station (A15) as well.
        if (!UNTRUSTED_ISSUER.has(String(evidence.verifyError))) ctx.alert(nowMs, Category.certificate, 'medium', entity, { rule, ...evidence });
        this.loginFailed(this.ip(ipAddr, nowMs), identity, nowMs);
        return;
      case 'L0.certificate-cn-serial':
        ctx.alert(nowMs, Category.impersonation, 'high', entity, { rule, ...evidence });
        return;
      case 'L0.certificate-organization':
        ctx.alert(nowMs, Category.certificate, 'high', entity, { rule, ...evidence });
    }
  }

  private loginFailed(ip: IpState, identity: string, nowMs: number): void {
    const ctx = this.ctx;
    const t = ctx.t;
    const perIp = ip.fails.add(nowMs);
    if (perIp < 1.5) ip.failedIds = [];
    if (!ip.failedIds.includes(identity) && ip.failedIds.length < IDS_PER_IP) ip.failedIds.push(identity);
    let perId = this.failedIds.get(identity);
    if (perId === undefined) {
      if (this.failedIds.size >= MAX_FAILED_IDS) this.failedIds.clear();
      this.failedIds.set(identity, (perId = new Leaky(t.authTauMs)));
    }
    const idCount = perId.add(nowMs);
    const ev = { failuresFromIp: round(perIp), failuresOfIdentity: round(idCount), distinctIdentities: ip.failedIds.length };
    if (ip.failedIds.length >= t.authDistinctIdsAlert) {
      ctx.alert(nowMs, Category.credentialBruteForce, 'high', { ip: ip.ip, stationId: identity }, { rule: 'L0.identity-enumeration', ...ev });
    } else if (reached(perIp, t.authFailIpAlert)) {
      ctx.alert(nowMs, Category.credentialBruteForce, 'high', { ip: ip.ip, stationId: identity }, { rule: 'L0.auth-failures-ip', ...ev });
    } else if (reached(idCount, t.authFailIdentityAlert)) {
      ctx.alert(nowMs, Category.credentialBruteForce, 'high', { stationId: identity, ip: ip.ip }, { rule: 'L0.auth-failures-identity', ...ev });
    }
  }

  /**
   * One inbound frame (A01): frame-size limit (→ 1009), then the identity's and its IP's message buckets. A frame
   * the buckets cannot pay for is dropped unanswered; a sustained excess alerts, then closes with 1008.
   */
  frame(sd: StationDet, ip: IpState | null, length: number, nowMs: number): FrameVerdict {
    const ctx = this.ctx;
    const t = ctx.t;
    if (length >= t.maxFrameBytes) {
      ctx.actions.closed1009++;
      ctx.alert(nowMs, Category.flood, 'high', connEntity(sd), { rule: 'L0.frame-size', bytes: length, limit: t.maxFrameBytes });
      return FrameVerdict.Close1009;
    }
    const okStation = sd.msgBucket.take(nowMs);
    const okIp = ip === null || ip.msgBucket.take(nowMs);
    if (okStation && okIp) return FrameVerdict.Ok;
    if (okStation) sd.msgBucket.refund(1);
    if (okIp && ip !== null) ip.msgBucket.refund(1);
    ctx.actions.framesDropped++;
    const over = okStation ? ip!.flood.add(nowMs) : sd.flood.add(nowMs);
    if (reached(over, t.floodAlertAfter)) {
      ctx.alert(nowMs, Category.flood, 'high', okStation ? { ip: sd.ip, stationId: sd.id } : connEntity(sd), {
        rule: okStation ? 'L0.message-rate-ip' : 'L0.message-rate-station', framesRefused: round(over),
        rate: okStation ? t.ipMsgRate : t.stationMsgRate, burst: okStation ? t.ipMsgBurst : t.stationMsgBurst,
      });
    }
    if (reached(over, t.floodCloseAfter)) {
      ctx.actions.closed1008++;
      return FrameVerdict.Close1008;
    }
    return FrameVerdict.Drop;
  }

  /** An oversized frame refused by ws itself (maxPayload) surfaces only as the connection's error. */
  oversized(sd: StationDet, nowMs: number): void {
    this.ctx.actions.closed1009++;
    this.ctx.alert(nowMs, Category.flood, 'high', connEntity(sd), { rule: 'L0.frame-size', limit: this.ctx.t.maxFrameBytes, refusedBy: 'ws maxPayload' });
  }

  /** Invalid frames (A04): decaying count per station; alert, and close 1008 on sustained abuse. */
  invalid(sd: StationDet, kind: string, nowMs: number): FrameVerdict {
    const ctx = this.ctx;
    const n = sd.invalid.add(nowMs);
    if (reached(n, ctx.t.invalidAlert)) {
      ctx.alert(nowMs, Category.malformed, 'medium', connEntity(sd), { rule: 'L0.invalid-frames', count: round(n), threshold: ctx.t.invalidAlert, last: kind });
    }
    if (reached(n, ctx.t.invalidClose)) { ctx.actions.closed1008++; return FrameVerdict.Close1008; }
    return FrameVerdict.Ok;
  }

  /** CALLs refused with SecurityError because the boot is not accepted (A05): alert when it persists. */
  stateAbuse(sd: StationDet, action: string, nowMs: number): void {
    const ctx = this.ctx;
    const n = sd.stateAbuse.add(nowMs);
    if (reached(n, ctx.t.stateAbuseAlert)) {
      ctx.alert(nowMs, Category.stateAbuse, 'medium', connEntity(sd), { rule: 'L0.calls-before-boot', count: round(n), threshold: ctx.t.stateAbuseAlert, lastAction: action });
    }
  }

  /** Periodic cleanup of idle IP entries. */
  prune(nowMs: number): void {
    for (const [k, v] of this.ips) if (nowMs - v.lastMs > 600_000 && v.fails.read(nowMs) < 0.5) this.ips.delete(k);
    for (const [k, v] of this.failedIds) if (v.read(nowMs) < 0.5) this.failedIds.delete(k);
  }
}

function round(x: number): number { return Math.round(x * 10) / 10; }
