/** SchemaCheck: the port through which core and protocols validate hardware documents (src/schema/ implements it). */

/** The four kinds of hardware document a device announces. */
export const SCHEMA_KINDS = ['mcu-static', 'mcu-dynamic', 'sensor-static', 'sensor-dynamic'] as const;
export type SchemaKind = (typeof SCHEMA_KINDS)[number];

/** An accepted document. */
export interface CheckedDocument {
  /** Version the document is recorded under: the declared one, or the newest known when none was declared. */
  readonly version: string;
  /** The document as given, unknown fields included. */
  readonly document: Record<string, unknown>;
  /** JSON pointers (with the caller's prefix) of fields the hub's schema does not describe. */
  readonly unknownFields: string[];
}

export interface SchemaCheck {
  /**
   * Check `document` against the schema of `kind` at `declaredVersion` (default: newest).
   * @throws HubError INVALID_PARAMS (issues under `pathPrefix`) or SCHEMA_VERSION_UNSUPPORTED.
   */
  validate(kind: SchemaKind, document: unknown, declaredVersion?: string, pathPrefix?: string): CheckedDocument;
}
