/** The well-behaved device beside the fuzzer: its telemetry must be stored and a command to it must round-trip, during and after a run. */
import { eventually } from '../support/eventually.ts';
import { DeviceLink } from '../support/test-hub.ts';
import type { FuzzHub } from './fuzz-hub.ts';

const HARDWARE_ID = 'fuzz-good-mcu';

/** POST one JSON-RPC request to /rpc, failing after `timeoutMs`. */
export async function rpc(httpUrl: string, method: string, params: unknown, timeoutMs = 10_000): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const response = await fetch(`${httpUrl}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await response.json()) as never;
}

export class GoodDevice {
  readonly #fh: FuzzHub;
  readonly #link: DeviceLink;
  readonly #deviceId: string;
  #value = 0;

  private constructor(fh: FuzzHub, link: DeviceLink, deviceId: string) {
    this.#fh = fh;
    this.#link = link;
    this.#deviceId = deviceId;
  }

  /** Connect over the hub's bus, register as an MCU and answer mcu.* commands. */
  static async start(fh: FuzzHub): Promise<GoodDevice> {
    const link = await DeviceLink.open(await fh.bus.connect(HARDWARE_ID), HARDWARE_ID);
    const registered = await link.request('device.register', { device_type: 'mcu', static_schema: { manufacturer: 'Espressif', model: 'ESP32-S3' } });
    if (typeof registered.result?.device_id !== 'string') throw new Error(`good device: registration failed: ${JSON.stringify(registered)}`);
    link.onCommand = (method) => {
      if (method === 'mcu.get_status') return { status: 'running', uptime: 1 };
      return {};
    };
    return new GoodDevice(fh, link, registered.result.device_id as string);
  }

  get deviceId(): string {
    return this.#deviceId;
  }

  /** Report a fresh value, see it stored, and round-trip a command; the reason it failed, or undefined. */
  async check(timeoutMs = 10_000): Promise<string | undefined> {
    const value = ++this.#value;
    try {
      const ack = await this.#link.request('telemetry.report', { readings: [{ measurement_type: 'cpu_temperature', value, timestamp: Date.now() }] }, timeoutMs);
      if (ack.result?.accepted !== 1) return `telemetry.report answered ${JSON.stringify(ack).slice(0, 300)}`;
      let latest: Awaited<ReturnType<typeof rpc>> | undefined;
      const stored = await eventually(async () => {
        latest = await rpc(this.#fh.httpUrl, 'data.latest', { device_ids: [this.#deviceId], measurement_types: ['cpu_temperature'] }, timeoutMs);
        return latest.result?.readings?.[0]?.value === value;
      }, timeoutMs).catch(() => false);
      if (!stored) return `value ${value} not stored: data.latest answered ${JSON.stringify(latest).slice(0, 300)}`;
      const status = await rpc(this.#fh.httpUrl, 'mcu.get_status', { mcu_id: this.#deviceId, timeout_ms: timeoutMs }, timeoutMs + 2000);
      if (status.result?.status !== 'running') return `mcu.get_status answered ${JSON.stringify(status).slice(0, 300)}`;
      return undefined;
    } catch (error) {
      // fetch's "fetch failed" hides the reason in `cause` (ECONNRESET, other side closed…).
      const cause = error instanceof Error && error.cause !== undefined ? ` (${String(error.cause)})` : '';
      return `good device check failed: ${error instanceof Error ? error.message : String(error)}${cause}`;
    }
  }
}
