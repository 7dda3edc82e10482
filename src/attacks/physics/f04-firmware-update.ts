import type { Station } from '../../station/station.js';
import type { AttackImpl } from '../types.js';

/**
 * F04 CSMS-commanded firmware update (benign): the CSMS sends the target UpdateFirmware (a roll-out scheduled in
 * the scenario's `csms.commands`); the station runs the benign L01 flow — FirmwareStatusNotification Downloading →
 * Downloaded → (SignatureVerified) → Installing → reboot with reason FirmwareUpdate and the newer version →
 * Installed, SecurityEventNotification FirmwareUpdated. The instance waits for the command to reach one of its
 * targets within its window (a roll-out reaches a share of the fleet at a time: several targets per instance make
 * that likely) and labels that station's flow from the command's arrival to Installed. A good IDS stays silent:
 * the CSMS asked for it.
 */
export const F04: AttackImpl = {
  type: 'F04',
  title: 'CSMS-commanded firmware update (benign)',
  problem(spec) {
    if (spec.target !== undefined || spec.csms.commands.some((c) => c.action === 'UpdateFirmware')) return undefined;
    return 'needs the embedded CSMS to command the update: add a csms.commands UpdateFirmware (e.g. { at: 30s, every: 10s, action: UpdateFirmware, stations: 5% })';
  },
  async run(env) {
    if (env.stations.length === 0) return;
    // A roll-out reaches some stations at a time: the first target it reaches is the one whose flow is labelled.
    const since = new Map(env.stations.map((st) => [st, st.nowMs()] as const));
    const reached = (): Station | undefined => env.stations.find((st) => st.firmware.receivedMs >= since.get(st)!);
    if (!(await env.waitFor(() => reached() !== undefined, 200))) return;
    const st = reached()!;
    const fw = st.firmware;
    // Station time → run clock: the instance's window is in the run's time.
    const offset = st.nowMs() - env.nowMs();
    env.malicious(fw.receivedMs - offset);
    const done = await env.waitFor(() => !Number.isNaN(fw.installedMs) && fw.installedMs >= fw.receivedMs, 200, env.deadlineMs + 120_000);
    env.malicious(done ? fw.installedMs - offset : env.nowMs());
  },
};
