/** RegistryStore: durable devices and the command log. The registry keeps the working set in memory. */
import type { CommandRecord, CommandState } from '../command.ts';
import type { Device } from '../device.ts';

export interface CommandFilter {
  readonly deviceId?: string;
  readonly state?: CommandState;
  readonly method?: string;
  /** ms since epoch, inclusive. */
  readonly since?: number;
  /** Newest first; default 100. */
  readonly limit?: number;
}

export interface RegistryStore {
  /** Every stored device (the registry loads them at start). */
  loadDevices(): Promise<Device[]>;
  /** Insert or replace by `id`. */
  saveDevice(device: Device): Promise<void>;
  deleteDevice(id: string): Promise<void>;
  /** Insert or replace by `id`. */
  saveCommand(command: CommandRecord): Promise<void>;
  getCommand(id: string): Promise<CommandRecord | undefined>;
  listCommands(filter?: CommandFilter): Promise<CommandRecord[]>;
  close(): Promise<void>;
}
