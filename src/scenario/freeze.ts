/**
 * Freezes a plain data tree in place and returns it. The spec is shared by every station of a process, so a
 * module that mutates it by mistake must fail loudly (ES modules run in strict mode: assignment throws).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
