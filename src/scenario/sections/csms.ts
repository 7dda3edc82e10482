import { DEFAULTS } from '../defaults.js';
import type { Path, Problems } from '../problems.js';
import { describe, duration, Fields, isAbsent, listOf, oneOf, ratio, readMap, string, type Reader } from '../read.js';
import type { CsmsCommandSpec, CsmsSpec } from '../spec.js';
import { COMMAND_ACTIONS, COMMAND_PARAMS, type CommandAction } from './commandParams.js';
import { readPki } from './pnc.js';
import { readParamTable } from './params.js';
import { readCsmsTariff } from './tariff.js';

/** `csms:` — settings of the embedded CSMS (ignored when `target` points at a real one). */
export function readCsms(p: Problems, v: unknown, path: Path): CsmsSpec {
  const m = readMap(p, v, path, ['heartbeatInterval', 'bootStatus', 'blockedTokens', 'commands', 'pki', 'tariff']);
  if (!m) return DEFAULTS.csms;
  const f = new Fields(p, m, path);
  const d = DEFAULTS.csms;
  const out: CsmsSpec = {
    heartbeatInterval: f.opt('heartbeatInterval', d.heartbeatInterval, heartbeatSeconds),
    bootStatus: f.opt('bootStatus', d.bootStatus, oneOf(['Accepted', 'Pending', 'Rejected'] as const)),
    blockedTokens: f.opt('blockedTokens', d.blockedTokens, listOf(blockedToken, { single: true })),
    commands: f.opt('commands', d.commands, listOf(command)),
    // Plug & Charge: the test PKI's revoked / expired contract shares (sections/pnc.ts).
    pki: readPki(p, m.pki, f.at('pki')),
  };
  // Tariffs: the CSMS's default tariff (sections/tariff.ts); absent = none.
  const tariff = readCsmsTariff(p, m.tariff, f.at('tariff'));
  if (tariff) out.tariff = tariff;
  return out;
}

// BootNotificationResponse.interval is an integer number of seconds; `60` and `1m` both mean 60.
const heartbeatSeconds: Reader<number> = (p, v, path) => {
  const ms = duration({ min: 1000, max: 86_400_000 })(p, v, path);
  if (ms === undefined) return undefined;
  if (ms % 1000 !== 0) {
    p.add(path, 'must be a whole number of seconds (BootNotificationResponse.interval)');
    return undefined;
  }
  return ms / 1000;
};

const blockedToken: Reader<string> = (p, v, path) => {
  if (typeof v === 'number') {
    p.add(path, `idToken ${v} was read as a number; quote it ("...") so YAML keeps it as written`);
    return undefined;
  }
  return string({ maxLength: 255 })(p, v, path);
};

const COMMAND_KEYS = ['at', 'every', 'action', 'stations', 'params'] as const;

// One scheduled command: `{ at: 20s, every: 0, action: SetChargingProfile, stations: 10%, params: {...} }`.
const command: Reader<CsmsCommandSpec> = (p, v, path) => {
  const m = readMap(p, v, path, COMMAND_KEYS);
  if (!m) return undefined;
  const before = p.size;
  const f = new Fields(p, m, path);
  const at = f.req('at', 0, duration({ min: 0 }));
  const every = f.opt('every', DEFAULTS.command.every, repeatPeriod);
  const action = f.req<CommandAction | undefined>('action', undefined, oneOf(COMMAND_ACTIONS));
  const fraction = f.opt('stations', DEFAULTS.command.fraction, ratio({ min: 0, above: true, max: 1 }));
  const params = action ? readParams(p, m.params, f.at('params'), action) : {};
  if (p.size > before || !action) return undefined;
  return { at, every, action, fraction, params };
};

// 0 = once; otherwise at least 100 ms so a typo cannot turn the embedded CSMS into a timer storm.
const repeatPeriod: Reader<number> = (p, v, path) => {
  const ms = duration({ min: 0 })(p, v, path);
  if (ms !== undefined && ms > 0 && ms < 100) {
    p.add(path, 'a repeat period must be 0 (once) or at least 100ms');
    return undefined;
  }
  return ms;
};

function readParams(p: Problems, v: unknown, path: Path, action: CommandAction): Record<string, unknown> {
  return readParamTable(p, v, path, COMMAND_PARAMS[action], action);
}
