// Renders any received value for an error message: short, never throwing (bigint, cycles, bytes).

/** `"text"`, `42`, `12n`, `3 bytes`, `{"a":1}`; cut to 80 characters. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
