/** Reading hub→device command params: the few shapes the commands take, with -32602 issues when they are wrong. */
import { DeviceRpcError } from './device-rpc-error.ts';
import type { JsonObject } from './sensor-model.ts';

/** `params` as an object (absent = `{}`); by-position arrays are refused. */
export function paramsObject(params: unknown): JsonObject {
  if (params === undefined) return {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw DeviceRpcError.invalidParams('Invalid params: expected an object', [{ path: 'params', message: 'must be an object (by-name parameters)' }]);
  }
  return params as JsonObject;
}

export function requiredString(params: JsonObject, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || value.length === 0) throw DeviceRpcError.invalidParams(`Invalid params: ${key}`, [{ path: key, message: 'required, a non-empty string' }]);
  return value;
}

export function optionalString(params: JsonObject, key: string): string | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw DeviceRpcError.invalidParams(`Invalid params: ${key}`, [{ path: key, message: 'must be a string' }]);
  return value;
}

export function optionalStringArray(params: JsonObject, key: string): string[] | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw DeviceRpcError.invalidParams(`Invalid params: ${key}`, [{ path: key, message: 'must be an array of strings' }]);
  }
  return value;
}

export function optionalNumber(params: JsonObject, key: string, min: number, max: number): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw DeviceRpcError.invalidParams(`Invalid params: ${key}`, [{ path: key, message: `must be a number from ${min} to ${max}` }]);
  }
  return value;
}

export function requiredObject(params: JsonObject, key: string): JsonObject {
  const value = params[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw DeviceRpcError.invalidParams(`Invalid params: ${key}`, [{ path: key, message: 'required, an object' }]);
  }
  return value as JsonObject;
}
