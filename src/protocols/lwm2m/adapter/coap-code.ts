// CoAP response codes as LwM2M over MQTT carries them: dotted text "2.05" with an EMQX-style `codeMsg`.

/** Code names (RFC 7252 §12.1.2, RFC 7959 §2.9, RFC 8132 §6), spelled as EMQX's `codeMsg` atoms. */
export const COAP_CODE_MESSAGES: Readonly<Record<string, string>> = {
  '2.01': 'created',
  '2.02': 'deleted',
  '2.03': 'valid',
  '2.04': 'changed',
  '2.05': 'content',
  '2.31': 'continue',
  '4.00': 'bad_request',
  '4.01': 'unauthorized',
  '4.02': 'bad_option',
  '4.03': 'forbidden',
  '4.04': 'not_found',
  '4.05': 'method_not_allowed',
  '4.06': 'not_acceptable',
  '4.08': 'request_entity_incomplete',
  '4.09': 'conflict',
  '4.12': 'precondition_failed',
  '4.13': 'request_entity_too_large',
  '4.15': 'unsupported_content_format',
  '5.00': 'internal_server_error',
  '5.01': 'not_implemented',
  '5.02': 'bad_gateway',
  '5.03': 'service_unavailable',
  '5.04': 'gateway_timeout',
  '5.05': 'proxying_not_supported',
};

/** A response code "c.dd": class 2 success, 4 client error, 5 server error (RFC 7252 §3, §5.9). */
const CODE_TEXT = /^([245])\.(\d{2})$/;

/** True for "2.xx", "4.xx", "5.xx" text. */
export function isCoapResponseCode(text: unknown): text is string {
  return typeof text === 'string' && CODE_TEXT.test(text);
}

/** Success class (2.xx). */
export function isSuccessCode(code: string): boolean {
  return code.startsWith('2.');
}

/** `codeMsg` for a code: the known name, else "unknown". */
export function codeMessage(code: string): string {
  return COAP_CODE_MESSAGES[code] ?? 'unknown';
}
