import type { VariableSpec } from './device-model-table.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const BOOLEAN = /^(true|false)$/i;

/** Outcome of checking a SetVariables value: the value to store, or the reasonCode of a rejection. */
export type CheckResult = { ok: true; value: string } | { ok: false; reasonCode: string; additionalInfo: string };

function fail(reasonCode: string, additionalInfo: string): CheckResult {
  return { ok: false, reasonCode, additionalInfo };
}

/**
 * Validates `value` against a variable's dataType and characteristics (B05: a value the station cannot use is
 * Rejected, not stored). Reason codes are from the OCPP 2.x reason-code list. Booleans are normalised to
 * lower case; list items are trimmed.
 */
export function checkValue(spec: VariableSpec, value: string, maxSize: number): CheckResult {
  if (value.length > maxSize) return fail('TooLargeElement', `longer than ConfigurationValueSize ${maxSize}`);
  switch (spec.dataType) {
    case 'integer':
      if (!INTEGER.test(value)) return fail('InvalidValue', 'not an integer');
      return inRange(spec, Number(value), value);
    case 'decimal':
      if (!DECIMAL.test(value)) return fail('InvalidValue', 'not a decimal');
      return inRange(spec, Number(value), value);
    case 'boolean':
      return BOOLEAN.test(value) ? { ok: true, value: value.toLowerCase() } : fail('InvalidValue', 'not true/false');
    case 'dateTime':
      return Number.isNaN(Date.parse(value)) ? fail('InvalidValue', 'not a date-time') : { ok: true, value };
    case 'OptionList':
      return options(spec).includes(value) ? { ok: true, value } : fail('InvalidValue', `not one of ${spec.valuesList ?? ''}`);
    case 'MemberList':
    case 'SequenceList':
      return checkList(spec, value);
    case 'string':
      if (spec.maxLimit !== undefined && value.length > spec.maxLimit) return fail('TooLargeElement', `longer than ${spec.maxLimit}`);
      if (spec.minLimit !== undefined && value.length < spec.minLimit) return fail('InvalidValue', `shorter than ${spec.minLimit}`);
      return { ok: true, value };
  }
}

function inRange(spec: VariableSpec, n: number, value: string): CheckResult {
  if (spec.minLimit !== undefined && n < spec.minLimit) return fail('ValueTooLow', `below ${spec.minLimit}`);
  if (spec.maxLimit !== undefined && n > spec.maxLimit) return fail('ValueTooHigh', `above ${spec.maxLimit}`);
  return { ok: true, value };
}

function options(spec: VariableSpec): string[] {
  return spec.valuesList === undefined ? [] : spec.valuesList.split(',');
}

function checkList(spec: VariableSpec, value: string): CheckResult {
  // An empty MemberList is a valid (empty) selection, e.g. no measurands; a SequenceList needs an entry.
  if (value.trim() === '') return spec.dataType === 'MemberList' ? { ok: true, value: '' } : fail('InvalidValue', 'empty list');
  const items = value.split(',').map((s) => s.trim());
  if (spec.maxElements !== undefined && items.length > spec.maxElements) return fail('TooManyElements', `more than ${spec.maxElements} items`);
  if (new Set(items).size !== items.length) return fail('InvalidValue', 'repeated item');
  const allowed = spec.valuesList === undefined ? undefined : options(spec);
  for (const item of items) {
    if (allowed ? !allowed.includes(item) : item === '') return fail('InvalidValue', `'${item}' is not supported`);
    // NetworkConfigurationPriority lists configuration slots, which are integers.
    if (!allowed && spec.dataType === 'SequenceList' && !INTEGER.test(item)) return fail('InvalidValue', `'${item}' is not a slot number`);
  }
  return { ok: true, value: items.join(',') };
}
