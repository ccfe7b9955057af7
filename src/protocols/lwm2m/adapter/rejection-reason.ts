// Maps why a device message was refused to the metric label it is counted under, and salvages its reqID.
import { HubError } from '../../../core/errors.ts';
import { Lwm2mOperationError } from '../errors/lwm2m-operation-error.ts';
import { Lwm2mPathError } from '../errors/lwm2m-path-error.ts';
import { Lwm2mRegistrationError } from '../errors/lwm2m-registration-error.ts';
import { Lwm2mValueError } from '../errors/lwm2m-value-error.ts';
import { Lwm2mMessageError } from './lwm2m-message-error.ts';

/**
 * `llmiot_messages_rejected_total{protocol="lwm2m",reason}` label for an error:
 * malformed_json, invalid_message, invalid_registration, invalid_path, invalid_value,
 * operation_not_allowed, invalid_schema; anything else internal_error.
 */
export function rejectionReason(error: unknown): string {
  if (error instanceof Lwm2mMessageError) return error.reason;
  if (error instanceof Lwm2mRegistrationError) return error.field === 'message' && error.reason.startsWith('not UTF-8 JSON') ? 'malformed_json' : 'invalid_registration';
  if (error instanceof Lwm2mPathError) return 'invalid_path';
  if (error instanceof Lwm2mValueError) return 'invalid_value';
  if (error instanceof Lwm2mOperationError) return 'operation_not_allowed';
  if (error instanceof HubError && (error.code === 'INVALID_PARAMS' || error.code === 'SCHEMA_VERSION_UNSUPPORTED')) return 'invalid_schema';
  return 'internal_error';
}

/** The `reqID` of a message that failed validation, when it has a usable one (to end its command early). */
export function salvageReqId(payload: Buffer): number | undefined {
  try {
    const message = JSON.parse(payload.toString('utf8')) as unknown;
    if (typeof message !== 'object' || message === null) return undefined;
    const reqID = (message as Record<string, unknown>)['reqID'];
    if (typeof reqID === 'number' && Number.isSafeInteger(reqID) && reqID >= 0) return reqID;
    return typeof reqID === 'string' && /^\d{1,15}$/.test(reqID) ? Number(reqID) : undefined;
  } catch {
    return undefined;
  }
}
