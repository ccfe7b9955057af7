/**
 * What the free text of IPSO 5750 Application Type tells the hub about an instance: the part that
 * measures (`(BMP580 @ i2c:0x47)` → model BMP580) and the quantity it measures when the object alone
 * cannot say (`soil moisture (…)` on 3304 Humidity → `soil_moisture`). docs/generic-methods.md (LwM2M, "Application Type") and docs/measurements.md.
 */
import { findQuantity, ipsoQuantity, type Quantity } from '../../core/measurements.ts';

/** What a 5750 text names; fields it does not name are absent. */
export interface ApplicationTypeParts {
  /** The part number in a trailing `(<MODEL> @ <bus>:<address>)` or `(<MODEL>)`. */
  readonly model?: string;
  readonly bus?: string;
  readonly address?: string;
  /** The quantity the text begins with (`soil moisture` → soil_moisture). */
  readonly quantity?: Quantity;
}

// `(<MODEL> @ <bus>:<address>)` at the end: any model text without parentheses or `@`.
const WITH_BUS = /\(\s*([^()@]*[^()@\s])\s*@\s*([A-Za-z0-9_-]+)\s*:\s*([^()\s]+)\s*\)\s*$/;
// `(<MODEL>)` at the end: one word with a letter and a digit (BMP580, SHT41), so `(north bed)` is no model.
const BARE = /\(\s*([A-Za-z0-9][\w.+/-]*)\s*\)\s*$/;
/** Longest quantity name tried at the start of the text, in words (`atmospheric pressure` is two). */
const MAX_QUANTITY_WORDS = 3;

/** Parse a 5750 Application Type text. */
export function parseApplicationType(text: string): ApplicationTypeParts {
  const withBus = WITH_BUS.exec(text);
  const bare = withBus === null ? BARE.exec(text) : null;
  const model = withBus?.[1] ?? (bare?.[1] !== undefined && /[A-Za-z]/.test(bare[1]) && /\d/.test(bare[1]) ? bare[1] : undefined);
  const quantity = leadingQuantity(text.split('(')[0] ?? '');
  return {
    ...(model === undefined ? {} : { model }),
    ...(withBus?.[2] === undefined ? {} : { bus: withBus[2] }),
    ...(withBus?.[3] === undefined ? {} : { address: withBus[3] }),
    ...(quantity === undefined ? {} : { quantity }),
  };
}

function leadingQuantity(lead: string): Quantity | undefined {
  const words = lead.trim().split(/[\s_-]+/).filter((w) => w !== '' && !w.includes('/'));
  for (let n = Math.min(MAX_QUANTITY_WORDS, words.length); n > 0; n--) {
    const found = findQuantity(words.slice(0, n).join(' '));
    // Only the vocabulary's names and aliases (rule 1 of findQuantity), never an IPSO path.
    if (found !== undefined && found.defaultUnit === undefined) return found.quantity;
  }
  return undefined;
}

/**
 * The measurement name of an IPSO value resource: the quantity 5750 begins with when it differs from
 * the object's own and has the same dimension (the object says how it is measured, 5750 what: soil
 * moisture measured as 3304 Humidity), else `objectMeasurement` (the object's own name for it).
 * Only 5700 Sensor Value is renamed; other value resources (3336 Latitude …) keep their names.
 */
export function ipsoMeasurementName(objectId: number, resourceId: number, objectMeasurement: string, applicationType: string | undefined): string {
  if (applicationType === undefined || resourceId !== 5700) return objectMeasurement;
  const named = parseApplicationType(applicationType).quantity;
  const own = ipsoQuantity(objectId, resourceId)?.quantity ?? findQuantity(objectMeasurement)?.quantity;
  if (named === undefined || own === undefined || named.name === own.name || named.dimension !== own.dimension) return objectMeasurement;
  return named.name;
}

/** The model of an IPSO instance: the part 5750 names, else `IPSO <object name>`. */
export function ipsoModel(objectName: string, applicationType: string | undefined): string {
  return (applicationType === undefined ? undefined : parseApplicationType(applicationType).model) ?? `IPSO ${objectName}`;
}
