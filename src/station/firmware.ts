import type { Payload } from '../ocpp/session.js';
import type { Station } from './station.js';

/** Where an accepted UpdateFirmware is (OCPP 2.1 L01, FLOWS.md §8.2). */
type Stage = 'idle' | 'downloading' | 'downloaded' | 'verified' | 'waiting' | 'installing' | 'rebooting';

/** Seconds between the steps of an update (a compressed download and installation). */
const STEP_MS = 1000;

/** `1.4.2-abc` → `1.4.3`: the next patch release of a version's leading dotted number. */
export function nextVersion(v: string): string {
  const m = /\d+(?:\.\d+)*/.exec(v);
  if (!m) return `${v}.1`.slice(0, 50);
  const parts = m[0].split('.').map(Number);
  while (parts.length < 3) parts.push(0);
  parts[parts.length - 1]! += 1;
  return parts.join('.');
}

/** The version an image at `location` carries (`…/sim-ac22-1.5.0.bin` → `1.5.0`), if its name shows one. */
export function versionInLocation(location: string): string | undefined {
  const name = location.split(/[/?#]/).filter((x) => x.length > 0).find((x) => /\d+\.\d+/.test(x) && /\.(bin|img|tar|zip|fw|hex)/i.test(x)) ?? '';
  const all = name.match(/\d+(?:\.\d+)+/g);
  return all ? all[0] : undefined;
}

/**
 * The benign firmware update of a station (L01): UpdateFirmware Accepted → FirmwareStatusNotification Downloading →
 * Downloaded → SignatureVerified (when the request is signed) → Installing once no transaction runs (new sessions
 * wait) → reboot with reason FirmwareUpdate under the new version → Installed and a SecurityEventNotification
 * FirmwareUpdated after the boot. A new request while one runs replaces it (AcceptedCanceled).
 */
export class FirmwareUpdate {
  /** The version the station runs (reported in BootNotification). */
  version: string;
  stage: Stage = 'idle';
  requestId: number | undefined;
  /** Station time (ms) the current request arrived; and when its Installed went out (NaN until then). */
  receivedMs = NaN;
  installedMs = NaN;
  /** The last status sent (TriggerMessage resends it). */
  lastStatus: string | undefined;
  private signed = false;
  private target = '';

  constructor(private readonly st: Station, version: string) {
    this.version = version;
  }

  /** No new session may start: an installation waits for the running ones to end. */
  get holdsSessions(): boolean { return this.stage === 'waiting' || this.stage === 'installing' || this.stage === 'rebooting'; }

  /** UpdateFirmware: accepted (replacing a running update that has not begun installing). */
  request(p: Payload): Payload {
    if (this.stage === 'installing' || this.stage === 'rebooting') return { status: 'Rejected' };
    const replaced = this.stage !== 'idle';
    const fw = (p.firmware ?? {}) as Payload;
    this.requestId = p.requestId as number;
    this.signed = typeof fw.signature === 'string';
    const loc = typeof fw.location === 'string' ? versionInLocation(fw.location) : undefined;
    this.target = loc ?? nextVersion(this.version);
    this.receivedMs = this.st.nowMs();
    this.installedMs = NaN;
    this.stage = 'downloading';
    this.st.armFirmware(STEP_MS / 2);
    return { status: replaced ? 'AcceptedCanceled' : 'Accepted' };
  }

  /** The next step of the update (the station's timeline calls it). */
  step(): void {
    const st = this.st;
    if (st.link === 'stopped') { this.stage = 'idle'; return; }
    if (!st.online && this.stage !== 'rebooting') { st.armFirmware(STEP_MS); return; }
    switch (this.stage) {
      case 'downloading': this.notify('Downloading'); this.stage = 'downloaded'; st.armFirmware(2 * STEP_MS); return;
      case 'downloaded':
        this.notify('Downloaded');
        this.stage = this.signed ? 'verified' : 'waiting';
        st.armFirmware(STEP_MS);
        return;
      case 'verified': this.notify('SignatureVerified'); this.stage = 'waiting'; st.armFirmware(STEP_MS); return;
      case 'waiting':
        if (st.evses.some((e) => e.tx)) { st.armFirmware(STEP_MS); return; }
        this.notify('Installing');
        this.stage = 'installing';
        st.armFirmware(STEP_MS);
        return;
      case 'installing':
        this.stage = 'rebooting';
        this.version = this.target;
        st.reboot('FirmwareUpdate');
        return;
      default:
    }
  }

  /** Boot accepted: an installation that rebooted the station is complete. */
  onBooted(): void {
    if (this.stage !== 'rebooting') return;
    this.stage = 'idle';
    this.notify('Installed');
    this.installedMs = this.st.nowMs();
    void this.st.call('SecurityEventNotification', { type: 'FirmwareUpdated', timestamp: this.st.now(), techInfo: `firmware ${this.version}` });
  }

  /** TriggerMessage(FirmwareStatusNotification): the last status of a running update, else Idle. */
  triggered(): Payload {
    return this.stage !== 'idle' && this.lastStatus !== undefined && this.requestId !== undefined
      ? { status: this.lastStatus, requestId: this.requestId } : { status: 'Idle' };
  }

  private notify(status: string): void {
    this.lastStatus = status;
    void this.st.call('FirmwareStatusNotification', { status, requestId: this.requestId });
  }
}
