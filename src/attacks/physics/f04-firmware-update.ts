import type { AttackImpl } from '../types.js';

/**
 * F04 CSMS-commanded firmware update (benign): the CSMS sends the target UpdateFirmware (a roll-out scheduled in
 * the scenario's `csms.commands`); the station runs the benign L01 flow — FirmwareStatusNotification Downloading →
 * Downloaded → (SignatureVerified) → Installing → reboot with reason FirmwareUpdate and the newer version →
 * Installed, SecurityEventNotification FirmwareUpdated. The instance waits for the command within its window and
 * labels the flow from the command's arrival to Installed. A good IDS stays silent: the CSMS asked for it.
 */
export const F04: AttackImpl = {
  type: 'F04',
  title: 'CSMS-commanded firmware update (benign)',
  problem(spec) {
    if (spec.target !== undefined || spec.csms.commands.some((c) => c.action === 'UpdateFirmware')) return undefined;
    return 'needs the embedded CSMS to command the update: add a csms.commands UpdateFirmware (e.g. { at: 30s, every: 10s, action: UpdateFirmware, stations: 5% })';
  },
  async run(env) {
    const st = env.stations[0];
    if (!st) return;
    const fw = st.firmware;
    const since = st.nowMs();
    if (!(await env.waitFor(() => fw.receivedMs >= since, 200))) return;
    // Station time → run clock: the instance's window is in the run's time.
    const offset = st.nowMs() - env.nowMs();
    env.malicious(fw.receivedMs - offset);
    const done = await env.waitFor(() => !Number.isNaN(fw.installedMs) && fw.installedMs >= fw.receivedMs, 200, env.deadlineMs + 120_000);
    env.malicious(done ? fw.installedMs - offset : env.nowMs());
  },
};
