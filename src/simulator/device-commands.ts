/** The table of hub→device commands a simulated MCU answers (docs/protocol.md), and the dispatcher. */
import type { CommandContext } from './command-context.ts';
import { paramsObject } from './command-params.ts';
import { DEVICE_RPC_CODES, DeviceRpcError } from './device-rpc-error.ts';
import * as mcu from './mcu-commands.ts';
import * as sensor from './sensor-commands.ts';
import type { JsonObject } from './sensor-model.ts';

type Handler = (ctx: CommandContext, params: JsonObject, hardwareId: string) => JsonObject;

const HANDLERS: Readonly<Record<string, Handler>> = {
  'mcu.get_status': (ctx) => mcu.getStatus(ctx),
  'mcu.get_config': mcu.getConfig,
  'mcu.set_config': mcu.setConfig,
  'mcu.reboot': mcu.reboot,
  'mcu.upload_program': mcu.uploadProgram,
  'mcu.execute_script': mcu.executeScript,
  'sensor.read': sensor.read,
  'sensor.read_raw': sensor.readRaw,
  'sensor.configure': sensor.configure,
  'sensor.calibrate': sensor.calibrate,
  'sensor.reset': sensor.reset,
  'sensor.scan_bus': sensor.scanBus,
  'sensor.health': sensor.health,
};

/** Methods a simulated MCU answers. */
export const DEVICE_COMMANDS: readonly string[] = Object.keys(HANDLERS);

/**
 * Run one command. Throws DeviceRpcError: -32601 for an unknown method (JSON-RPC 2.0 §5.1), -32602 for
 * bad params, or the handler's own error. Anything else a handler throws is a bug and surfaces as -32603.
 */
export function answerCommand(ctx: CommandContext, method: string, params: unknown, hardwareId: string): JsonObject {
  const handler = Object.hasOwn(HANDLERS, method) ? HANDLERS[method] : undefined;
  if (handler === undefined) throw new DeviceRpcError(DEVICE_RPC_CODES.METHOD_NOT_FOUND, `Method not found: ${method}`);
  try {
    return handler(ctx, paramsObject(params), hardwareId);
  } catch (error) {
    if (error instanceof DeviceRpcError) throw error;
    throw new DeviceRpcError(DEVICE_RPC_CODES.INTERNAL_ERROR, `Internal error: ${method}`, { detail: error instanceof Error ? error.message : String(error) });
  }
}
