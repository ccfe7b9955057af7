// Decodes device answers (`up/resp`) and observe notifications (`up/notify`) in the EMQX JSON shape.
import { checkJsonLimits } from '../../../core/json-limits.ts';
import { describeValue } from '../describe-value.ts';
import { isCoapResponseCode } from './coap-code.ts';
import { Lwm2mMessageError } from './lwm2m-message-error.ts';

/** One `{path, value}` entry of `data.content` (read, observe, notify), value not yet typed. */
export interface RawContentEntry {
  readonly path: string;
  readonly value: unknown;
}

/**
 * An answer or notification:
 * `{"reqID":1,"msgType":"read","data":{"reqPath":"/3/0/1","code":"2.05","codeMsg":"content","content":[…]}}`.
 * `content` is `{path,value}` entries for read / observe / notify, link strings for discover.
 */
export interface UplinkMessage {
  /** The request id the hub sent, echoed (EMQX echoes the request map; numbers or digit strings). */
  readonly reqID: number | undefined;
  readonly msgType: string;
  /** CoAP Observe sequence number of a notification. */
  readonly seqNum?: number;
  readonly reqPath?: string;
  /** CoAP code text, e.g. "2.05"; undefined for `ack`, `coap_timeout`, `coap_reset`. */
  readonly code?: string;
  readonly codeMsg?: string;
  /** Values (read, observe, notify). */
  readonly content: readonly RawContentEntry[];
  /** Links (discover). */
  readonly links: readonly string[];
  /** Location of a created instance, when the device gives one (e.g. "/3303/1"). */
  readonly location?: string;
}

/** msgTypes on `up/resp` that carry no CoAP code (EMQX: empty ACK, CoAP timeout, CoAP reset). */
export const CODELESS_MSG_TYPES = ['ack', 'coap_timeout', 'coap_reset'] as const;

/**
 * Parse the payload of `up/resp` or `up/notify`.
 * @throws Lwm2mMessageError (`malformed_json`, `invalid_message`) naming the faulty field.
 */
export function parseUplinkMessage(payload: Buffer | string): UplinkMessage {
  let input: unknown;
  try {
    input = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (error) {
    throw new Lwm2mMessageError('malformed_json', `not UTF-8 JSON: ${(error as Error).message}`);
  }
  const issue = checkJsonLimits(input);
  if (issue) throw new Lwm2mMessageError('invalid_message', `${issue.message} at ${issue.path || '/'}`);
  const message = asRecord(input, 'message');
  const msgType = message['msgType'];
  if (typeof msgType !== 'string' || msgType === '') fail('msgType', 'a non-empty string', msgType);
  const reqID = parseReqId(message['reqID']);
  const seqNum = message['seqNum'];
  if (seqNum !== undefined && !(typeof seqNum === 'number' && Number.isInteger(seqNum) && seqNum >= 0)) fail('seqNum', 'a non-negative integer', seqNum);
  const codeless = (CODELESS_MSG_TYPES as readonly string[]).includes(msgType);
  const data = message['data'] === undefined && codeless ? {} : asRecord(message['data'], 'data');
  const code = data['code'];
  if (!codeless && !isCoapResponseCode(code)) fail('data.code', 'a CoAP response code such as "2.05"', code);
  const codeMsg = optionalString(data, 'codeMsg');
  const reqPath = optionalString(data, 'reqPath');
  const location = optionalString(data, 'location');
  const { content, links } = parseContent(data['content'], msgType);
  return {
    reqID,
    msgType,
    ...(seqNum === undefined ? {} : { seqNum }),
    ...(reqPath === undefined ? {} : { reqPath }),
    ...(typeof code === 'string' ? { code } : {}),
    ...(codeMsg === undefined ? {} : { codeMsg }),
    content,
    links,
    ...(location === undefined ? {} : { location }),
  };
}

function parseReqId(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return fail('reqID', 'an integer ≥ 0 (or its decimal text)', value);
}

function parseContent(value: unknown, msgType: string): { content: RawContentEntry[]; links: string[] } {
  if (value === undefined) return { content: [], links: [] };
  if (!Array.isArray(value)) return fail('data.content', 'an array', value);
  // Discover answers a list of CoRE links (`"</3/0>;pmin=10"`); everything else `{path,value}` entries.
  if (msgType === 'discover') {
    value.forEach((link, index) => {
      if (typeof link !== 'string') fail(`data.content[${index}]`, 'a CoRE link string', link);
    });
    return { content: [], links: value as string[] };
  }
  const content = value.map((item, index): RawContentEntry => {
    const entry = asRecord(item, `data.content[${index}]`);
    const path = entry['path'];
    if (typeof path !== 'string') fail(`data.content[${index}].path`, 'a LwM2M path string', path);
    if (!Object.hasOwn(entry, 'value')) fail(`data.content[${index}].value`, 'a value', undefined);
    return { path, value: entry['value'] };
  });
  return { content, links: [] };
}

function optionalString(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : fail(`data.${field}`, 'a string', value);
}

function asRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(field, 'a JSON object', value);
  return value as Record<string, unknown>;
}

function fail(field: string, expected: string, received: unknown): never {
  throw new Lwm2mMessageError('invalid_message', `${field}: expected ${expected}, received ${describeValue(received)}`);
}
