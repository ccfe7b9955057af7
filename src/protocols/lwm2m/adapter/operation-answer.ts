// The outcome of one downlink request as the adapter hands it on: typed content, or a wire error object.
import type { RpcErrorObject } from '../../../core/errors.ts';
import { codeMessage } from './coap-code.ts';
import type { TypedEntry } from './content-values.ts';
import type { UplinkMessage } from './uplink-message.ts';

/**
 * JSON-RPC code of an error the LwM2M device answered (a 4.xx / 5.xx, a failed firmware update,
 * unreadable content). Outside the hub's catalogue, so callers see DEVICE_ERROR with this object in
 * `data.device_error`; `data.coap_code` carries the CoAP code when there is one.
 */
export const LWM2M_DEVICE_ERROR_CODE = -32000;

/** A request answered with 2.xx and content the object model accepted, or the error that ends it. */
export type Answer =
  | {
      readonly ok: true;
      readonly code: string;
      readonly codeMsg: string;
      readonly content: readonly TypedEntry[];
      readonly links: readonly string[];
      readonly message: UplinkMessage;
    }
  | { readonly ok: false; readonly error: RpcErrorObject };

/** The error object for a 4.xx / 5.xx answer: `"4.04 not_found: /3/0/99"`, the code in `data.coap_code`. */
export function coapError(code: string, codeMsg: string | undefined, path: string): RpcErrorObject {
  const name = codeMsg ?? codeMessage(code);
  return { code: LWM2M_DEVICE_ERROR_CODE, message: `${code} ${name}: ${path}`, data: { coap_code: code, code_msg: name, path } };
}

/** A device-side failure without a CoAP code (bad content, failed firmware update). */
export function deviceFailure(message: string, data?: Record<string, unknown>): RpcErrorObject {
  return data === undefined ? { code: LWM2M_DEVICE_ERROR_CODE, message } : { code: LWM2M_DEVICE_ERROR_CODE, message, data };
}
