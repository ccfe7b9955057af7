/** Minimal in-memory RegistryStore for core unit tests (the real stores have their own contract suite). */
import type { CommandRecord } from '../../src/core/command.ts';
import type { Device } from '../../src/core/device.ts';
import type { CommandFilter, RegistryStore } from '../../src/core/ports/registry-store.ts';

export class MemoryRegistryStore implements RegistryStore {
  readonly devices = new Map<string, Device>();
  readonly commands = new Map<string, CommandRecord>();
  failSaves = false;

  async loadDevices(): Promise<Device[]> {
    return [...this.devices.values()];
  }
  async saveDevice(device: Device): Promise<void> {
    if (this.failSaves) throw new Error('disk full');
    this.devices.set(device.id, { ...device });
  }
  async deleteDevice(id: string): Promise<void> {
    this.devices.delete(id);
  }
  async saveCommand(command: CommandRecord): Promise<void> {
    this.commands.set(command.id, command);
  }
  async getCommand(id: string): Promise<CommandRecord | undefined> {
    return this.commands.get(id);
  }
  async listCommands(filter: CommandFilter = {}): Promise<CommandRecord[]> {
    return [...this.commands.values()]
      .filter((c) => (filter.deviceId === undefined || c.deviceId === filter.deviceId) && (filter.state === undefined || c.state === filter.state))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, filter.limit ?? 100);
  }
  async close(): Promise<void> {}
}
