/** A LwM2M operation the simulated client refuses, with the CoAP response code it answers (wire, not local). */

/** Response codes the simulated client uses on `up/resp` (CoAP RFC 7252 §5.9, named as EMQX's `codeMsg`). */
export const LWM2M_CODES = {
  created: '2.01',
  deleted: '2.02',
  changed: '2.04',
  content: '2.05',
  bad_request: '4.00',
  not_found: '4.04',
  method_not_allowed: '4.05',
  internal_server_error: '5.00',
} as const;
export type Lwm2mCodeMsg = keyof typeof LWM2M_CODES;
export type Lwm2mErrorCodeMsg = 'bad_request' | 'not_found' | 'method_not_allowed' | 'internal_server_error';

/** Thrown inside an operation handler; the client turns it into `{code, codeMsg}` (Transport TS 1.2 §6.7). */
export class Lwm2mReplyError extends Error {
  readonly codeMsg: Lwm2mErrorCodeMsg;

  constructor(codeMsg: Lwm2mErrorCodeMsg, message: string) {
    super(message);
    this.name = 'Lwm2mReplyError';
    this.codeMsg = codeMsg;
  }

  get code(): string {
    return LWM2M_CODES[this.codeMsg];
  }
}
