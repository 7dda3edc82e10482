import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { RpcErrorCode } from './errors.js';

/** Protocol versions this tool speaks; the subprotocol names are `ocpp` + version. */
export type OcppVersion = '2.1' | '2.0.1';

/** A payload that failed schema validation: the CALLERROR code it deserves and a readable reason. */
export interface Violation {
  readonly code: RpcErrorCode;
  readonly message: string;
}

/** Compiled validators of one protocol version, shared by every station and the embedded CSMS. */
export interface PayloadValidator {
  readonly version: OcppVersion;
  /** The action exists in this version's schema set. */
  has(action: string): boolean;
  request(action: string, payload: unknown): Violation | null;
  response(action: string, payload: unknown): Violation | null;
  /** Compiles the schemas of these actions now, so the first message of a run does not stall on it. */
  warm(actions: readonly string[]): void;
}

// The official schemas ship in ocpp-rpc (licensed no-derivatives: loaded as shipped, never edited). Their $ids
// are `urn:<Action>Request|Response` (2.1; the SEND-only NotifyPeriodicEventStream is `urn:<Action>`) and
// `urn:<Action>.req|.conf` (2.0.1); we map them to action names here.
const SCHEMA_FILES: Record<OcppVersion, string> = {
  '2.1': 'ocpp-rpc/lib/schemas/ocpp2_1.json',
  '2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
};

interface RawSchema { $id: string; [k: string]: unknown }

// RFC 3339 date-time, what the schemas' `format: date-time` means; kept here rather than pulling ajv-formats.
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/**
 * ajv keyword → OCPP-J error code (FLOWS.md §1.5): wrong JSON type → TypeConstraintViolation; missing field or
 * wrong cardinality → OccurrenceConstraintViolation; bad value (enum, length, range, pattern, format) →
 * PropertyConstraintViolation; a property the PDU does not have → FormatViolation (not an object of this action).
 */
const CODE_BY_KEYWORD: Record<string, RpcErrorCode> = {
  type: 'TypeConstraintViolation',
  required: 'OccurrenceConstraintViolation',
  minItems: 'OccurrenceConstraintViolation',
  maxItems: 'OccurrenceConstraintViolation',
  additionalItems: 'OccurrenceConstraintViolation',
  minProperties: 'OccurrenceConstraintViolation',
  maxProperties: 'OccurrenceConstraintViolation',
  additionalProperties: 'FormatViolation',
  enum: 'PropertyConstraintViolation',
  const: 'PropertyConstraintViolation',
  maxLength: 'PropertyConstraintViolation',
  minLength: 'PropertyConstraintViolation',
  minimum: 'PropertyConstraintViolation',
  maximum: 'PropertyConstraintViolation',
  exclusiveMinimum: 'PropertyConstraintViolation',
  exclusiveMaximum: 'PropertyConstraintViolation',
  multipleOf: 'PropertyConstraintViolation',
  pattern: 'PropertyConstraintViolation',
  format: 'PropertyConstraintViolation',
};

function describe(e: ErrorObject): string {
  const at = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${at}: unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'required') return `${at}: missing required property '${(e.params as { missingProperty: string }).missingProperty}'`;
  if (e.keyword === 'enum') return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join('|')}`;
  return `${at}: ${e.message ?? e.keyword}`;
}

function toViolation(fn: ValidateFunction): Violation {
  const e = fn.errors?.[0];
  if (!e) return { code: 'FormatViolation', message: 'payload does not match the schema' };
  return { code: CODE_BY_KEYWORD[e.keyword] ?? 'FormatViolation', message: describe(e) };
}

const NOT_OBJECT: Violation = { code: 'FormatViolation', message: 'payload is not a JSON object' };

class SchemaSet implements PayloadValidator {
  readonly version: OcppVersion;
  private readonly ajv: Ajv;
  // Schemas are compiled on first use (compiling all 181 up front costs ~1 s per process) and then shared.
  private readonly req = new Map<string, ValidateFunction | object>();
  private readonly res = new Map<string, ValidateFunction | object>();

  constructor(version: OcppVersion, schemas: readonly RawSchema[]) {
    this.version = version;
    // strict off: the shipped schemas carry non-standard keywords (javaType, comment) we must not edit away.
    const ajv = (this.ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false }));
    ajv.addFormat('date-time', DATE_TIME);
    for (const s of schemas) {
      const m = /^urn:(.+?)(Request|Response|\.req|\.conf)?$/.exec(s.$id);
      if (!m) continue;
      const action = m[1]!;
      const kind = m[2];
      // Compiled without its `urn:` $id: ajv's URI library rejects URNs without a namespace id, and every $ref
      // in these files is local (`#/definitions/...`), so the id carries nothing validation needs.
      const { $id: _id, ...body } = s;
      if (kind === 'Response' || kind === '.conf') this.res.set(action, body);
      else this.req.set(action, body); // Request, .req, or a SEND-only message without suffix
    }
  }

  has(action: string): boolean { return this.req.has(action); }

  warm(actions: readonly string[]): void {
    for (const a of actions) { this.compiled(this.req, a); this.compiled(this.res, a); }
  }

  request(action: string, payload: unknown): Violation | null {
    return this.check(this.compiled(this.req, action), action, payload);
  }

  response(action: string, payload: unknown): Violation | null {
    return this.check(this.compiled(this.res, action), action, payload);
  }

  private compiled(table: Map<string, ValidateFunction | object>, action: string): ValidateFunction | undefined {
    const entry = table.get(action);
    if (entry === undefined || typeof entry === 'function') return entry as ValidateFunction | undefined;
    const fn = this.ajv.compile(entry);
    table.set(action, fn);
    return fn;
  }

  private check(fn: ValidateFunction | undefined, action: string, payload: unknown): Violation | null {
    if (!fn) return { code: 'NotImplemented', message: `unknown action '${action}' in OCPP ${this.version}` };
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return NOT_OBJECT;
    return fn(payload) ? null : toViolation(fn);
  }
}

const cache = new Map<OcppVersion, PayloadValidator>();
const require = createRequire(import.meta.url);

/** The validators of a version, compiled once per process on first use. */
export function validatorFor(version: OcppVersion): PayloadValidator {
  let v = cache.get(version);
  if (!v) {
    const schemas = require(SCHEMA_FILES[version]) as RawSchema[];
    v = new SchemaSet(version, schemas);
    cache.set(version, v);
  }
  return v;
}

export function subprotocolOf(version: OcppVersion): string { return `ocpp${version}`; }
export function versionOf(subprotocol: string): OcppVersion | undefined {
  return subprotocol === 'ocpp2.1' ? '2.1' : subprotocol === 'ocpp2.0.1' ? '2.0.1' : undefined;
}
