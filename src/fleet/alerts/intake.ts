import type { Alert } from '../../detection/types.js';
import { JsonlFollower } from './jsonl-follow.js';
import { alertsFromPayload, resolveMappings, type AlertFormat, type AlertMapping, type AlertMappingOptions } from './mapping.js';
import { AlertPoller } from './poll.js';
import { AlertWebhook, type SourceCounts } from './webhook.js';

export interface AlertIntakeOptions {
  /** The scenario's field mapping (defaults cover the generic format and Alertmanager). */
  mapping?: AlertMappingOptions;
  /** `--alerts-listen PORT` (0 picks one). */
  listen?: number;
  /** Address to bind the webhook to (default 127.0.0.1). */
  host?: string;
  /** JSONL alert files to follow. */
  follow?: readonly string[];
  followIntervalMs?: number;
  /** Read each followed file from its start (default true). */
  followFromStart?: boolean;
  /** HTTP(S) URLs to poll. */
  poll?: readonly string[];
  pollIntervalMs?: number;
  pollHeaders?: Record<string, string>;
  now?: () => number;
  /** Called for each new alert as it arrives (live progress). */
  onAlert?: (alert: Alert) => void;
}

export interface IntakeStats {
  /** Distinct alerts collected. */
  alerts: number;
  /** Alerts seen again (same alertId) from any source. */
  duplicates: number;
  webhook: (SourceCounts & { requests: number; badRequests: number }) | null;
  /** Alerts handed over in process (`ingest`, the embedded CSMS's detector); null when none were. */
  inProcess: SourceCounts | null;
  files: Array<{ path: string; lastError: string | null } & JsonlFollower['counts']>;
  polls: Array<{ url: string; lastError: string | null } & AlertPoller['counts']>;
}

/**
 * Collects alerts while a run lasts from any of the three sources — webhook, followed JSONL files, polled URLs —
 * normalised (times in epoch ms) and de-duplicated by alertId across sources, in arrival order.
 */
export class AlertIntake {
  private readonly list: Alert[] = [];
  private readonly ids = new Set<string>();
  private duplicates = 0;
  private webhook: AlertWebhook | null = null;
  private readonly followers: JsonlFollower[] = [];
  private readonly pollers: Array<{ url: string; poller: AlertPoller }> = [];
  private readonly mappings: Record<AlertFormat, AlertMapping>;
  private closed: Promise<void> | null = null;
  private inProcess: SourceCounts | null = null;

  private constructor(private readonly o: AlertIntakeOptions) {
    this.mappings = resolveMappings(o.mapping);
  }

  /** Starts every configured source; the webhook is bound when this resolves. */
  static async start(o: AlertIntakeOptions): Promise<AlertIntake> {
    const intake = new AlertIntake(o);
    const sink = (alerts: Alert[]): void => { intake.add(alerts); };
    const common = { mappings: intake.mappings, sink, ...(o.now ? { now: o.now } : {}) };
    if (o.listen !== undefined) {
      intake.webhook = await AlertWebhook.listen({ ...common, port: o.listen, ...(o.host !== undefined ? { host: o.host } : {}) });
    }
    for (const path of o.follow ?? []) {
      intake.followers.push(new JsonlFollower(path, {
        ...common,
        ...(o.followIntervalMs !== undefined ? { intervalMs: o.followIntervalMs } : {}),
        ...(o.followFromStart !== undefined ? { fromStart: o.followFromStart } : {}),
      }).start());
    }
    try {
      for (const url of o.poll ?? []) {
        const poller = new AlertPoller(url, {
          ...common,
          ...(o.pollIntervalMs !== undefined ? { intervalMs: o.pollIntervalMs } : {}),
          ...(o.pollHeaders ? { headers: o.pollHeaders } : {}),
        });
        intake.pollers.push({ url, poller: poller.start() });
      }
    } catch (e) {
      await intake.close();
      throw e;
    }
    return intake;
  }

  /** Adds alerts (the sources' sink; also for alerts handed over in process); returns how many were new. */
  add(alerts: readonly Alert[]): number {
    let fresh = 0;
    for (const a of alerts) {
      if (this.ids.has(a.alertId)) { this.duplicates++; continue; }
      this.ids.add(a.alertId);
      this.list.push(a);
      fresh++;
      this.o.onAlert?.(a);
    }
    return fresh;
  }

  /**
   * A payload handed over in process, as the JSON an alert sink would write or POST (one generic alert, a list,
   * an Alertmanager webhook body): mapped exactly like the webhook's and the files' alerts. Returns how many were new.
   */
  ingest(payload: unknown): number {
    const r = alertsFromPayload(payload, this.mappings, (this.o.now ?? Date.now)());
    this.inProcess ??= { accepted: 0, rejected: 0 };
    this.inProcess.accepted += r.alerts.length;
    this.inProcess.rejected += r.errors.length;
    return this.add(r.alerts);
  }

  /** The alerts collected so far, in arrival order. */
  get alerts(): readonly Alert[] {
    return this.list;
  }

  /** The webhook's bound port, or null without `listen`. */
  get webhookPort(): number | null {
    return this.webhook?.port ?? null;
  }

  /** The webhook's URL (`http://127.0.0.1:9911/`), or null without `listen`. */
  get webhookUrl(): string | null {
    return this.webhook?.url ?? null;
  }

  stats(): IntakeStats {
    return {
      alerts: this.list.length,
      duplicates: this.duplicates,
      webhook: this.webhook ? { ...this.webhook.counts } : null,
      inProcess: this.inProcess ? { ...this.inProcess } : null,
      files: this.followers.map((f) => ({ path: f.path, lastError: f.lastError, ...f.counts })),
      polls: this.pollers.map(({ url, poller }) => ({ url, lastError: poller.lastError, ...poller.counts })),
    };
  }

  /**
   * Reads what files and URLs still hold (a final pass each), then stops every source. Idempotent.
   * Call it after the run's grace period, so that late alerts for the last attacks are in.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([
        ...this.followers.map((f) => f.close()),
        ...this.pollers.map(({ poller }) => poller.close()),
      ]);
      await this.webhook?.close();
    })();
    return this.closed;
  }
}
