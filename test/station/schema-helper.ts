import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

interface RawSchema { $id: string; [k: string]: unknown }

const require = createRequire(import.meta.url);
const schemas = require('ocpp-rpc/lib/schemas/ocpp2_1.json') as RawSchema[];
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates `payload` against the official OCPP 2.1 schema `urn:<id>` (e.g. `MeterValuesRequest`); returns
 * null when valid, else ajv's errors as text. Compiled without the `urn:` $id, which ajv's URI parser rejects.
 */
export function schemaErrors(id: string, payload: unknown): string | null {
  let fn = compiled.get(id);
  if (!fn) {
    const raw = schemas.find((s) => s.$id === `urn:${id}`);
    if (!raw) throw new Error(`no schema urn:${id}`);
    const { $id: _id, ...body } = raw;
    fn = ajv.compile(body);
    compiled.set(id, fn);
  }
  return fn(payload) ? null : ajv.errorsText(fn.errors);
}
