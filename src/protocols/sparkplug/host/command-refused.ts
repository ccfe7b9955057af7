// A command the Sparkplug channel will not send: it completes failed with this code and message.

import type { JsonObject } from '../../../core/device.ts';
import type { ErrorCode } from '../../../core/errors.ts';

/** Why a hub command cannot go out as NCMD / DCMD (or be answered from the host's state). */
export class CommandRefused extends Error {
  readonly code: ErrorCode;
  readonly data: JsonObject | undefined;

  constructor(code: ErrorCode, message: string, data?: JsonObject) {
    super(message);
    this.name = 'CommandRefused';
    this.code = code;
    this.data = data;
  }
}
