// Parses the registration binding mode `b` (e.g. "U", "UQ", "MT") into transports and queue mode.
import { Lwm2mRegistrationError } from './errors/lwm2m-registration-error.ts';

/**
 * Transport binding letters (LwM2M Core TS 1.2 §6.2.1.2, Table 6.2.1.2-1): U = UDP, M = MQTT (1.2),
 * H = HTTP (1.2), T = TCP, S = SMS, N = Non-IP.
 */
export const BINDING_TRANSPORTS = ['U', 'M', 'H', 'T', 'S', 'N'] as const;
export type BindingTransport = (typeof BINDING_TRANSPORTS)[number];

/** A parsed binding mode. */
export interface BindingMode {
  /** The text as received, e.g. `UQ`. */
  readonly raw: string;
  /** Transports in the order given, without `Q`. */
  readonly transports: readonly BindingTransport[];
  /**
   * Queue mode. LwM2M 1.0 wrote it into the binding (`UQ`, `SQ`, `UQS`, TS 1.0 §5.3.1.1); since 1.1 it
   * is the separate `Q` registration parameter (Core TS 1.2 Table 6.2.1-1). Either form sets it.
   */
  readonly queueMode: boolean;
}

/** Default binding when a registration gives none (Core TS 1.2 Table 6.2.1-1). */
export const DEFAULT_BINDING = 'U';

/**
 * Parse a binding mode string. `queueParameter` is the 1.1+ `Q` flag when the message carries it.
 * @throws Lwm2mRegistrationError for an empty string, an unknown letter or a repeated one.
 */
export function parseBindingMode(raw: string, queueParameter = false, field = 'bindingMode'): BindingMode {
  if (raw === '') throw new Lwm2mRegistrationError(field, 'empty binding mode');
  const transports: BindingTransport[] = [];
  let queueLetter = false;
  for (const letter of raw) {
    if (letter === 'Q') {
      if (transports.length === 0) throw new Lwm2mRegistrationError(field, `"Q" must follow a transport letter in ${JSON.stringify(raw)}`);
      if (queueLetter) throw new Lwm2mRegistrationError(field, `"Q" repeated in ${JSON.stringify(raw)}`);
      queueLetter = true;
      continue;
    }
    if (!(BINDING_TRANSPORTS as readonly string[]).includes(letter)) {
      throw new Lwm2mRegistrationError(field, `unknown binding letter ${JSON.stringify(letter)} in ${JSON.stringify(raw)}; expected ${BINDING_TRANSPORTS.join(', ')} or Q`);
    }
    if (transports.includes(letter as BindingTransport)) {
      throw new Lwm2mRegistrationError(field, `binding letter ${JSON.stringify(letter)} repeated in ${JSON.stringify(raw)}`);
    }
    transports.push(letter as BindingTransport);
  }
  return { raw, transports, queueMode: queueParameter || queueLetter };
}
