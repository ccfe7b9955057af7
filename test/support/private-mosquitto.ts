/** A Mosquitto of the test's own, on a free port, that the test may stop and restart (broker outage tests). */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { eventually } from './eventually.ts';

const READY_TIMEOUT_MS = 10_000;

/** Brokers still running when the test file ends (a failed test never stopped them). */
const running = new Set<PrivateMosquitto>();
after(async () => {
  for (const broker of running) await broker.close();
});

/** Extra configuration of a {@link PrivateMosquitto}. */
export interface PrivateMosquittoOptions {
  /** mosquitto.conf lines appended to the listener's; `{dir}` is the broker's private directory. */
  readonly config?: readonly string[];
  /** Files to write into the private directory first, by name (password_file, acl_file, …). */
  readonly files?: Readonly<Record<string, string>>;
  /** Keep sessions, their queued messages and retained messages on disk across restarts (`persistence true`). */
  readonly persistent?: boolean;
}

export class PrivateMosquitto {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  readonly #config: string;
  #child: ChildProcess | undefined;
  #output = '';

  private constructor(port: number, options: PrivateMosquittoOptions) {
    this.port = port;
    this.url = `mqtt://127.0.0.1:${port}`;
    this.#dir = mkdtempSync(join(tmpdir(), 'llmiot-mosquitto-'));
    this.#config = join(this.#dir, 'mosquitto.conf');
    for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(this.#dir, name), text);
    const extra = (options.config ?? []).map((line) => line.replaceAll('{dir}', this.#dir));
    const anonymous = extra.some((line) => line.startsWith('allow_anonymous')) ? [] : ['allow_anonymous true'];
    // Started as root, Mosquitto drops to its own user, which cannot read the test's private files.
    const user = process.getuid?.() === 0 ? ['user root'] : [];
    // By default no persistence: a restart forgets retained messages and sessions, the hardest case for clients.
    let persistence = ['persistence false'];
    if (options.persistent === true) {
      const location = join(this.#dir, 'db');
      chmodSync(this.#dir, 0o755);
      mkdirSync(location, { mode: 0o777 });
      chmodSync(location, 0o777);
      persistence = ['persistence true', `persistence_location ${location}/`];
    }
    writeFileSync(this.#config, [`listener ${port} 127.0.0.1`, ...anonymous, ...persistence, ...user, ...extra, ''].join('\n'));
  }

  /** The broker's private directory (where `files` were written). */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Start a broker on a free port; resolves once it accepts TCP connections. `options.files` are
   * written to its private directory, and `{dir}` in `options.config` lines names that directory.
   */
  static async start(options: PrivateMosquittoOptions = {}): Promise<PrivateMosquitto> {
    const broker = new PrivateMosquitto(await freePort(), options);
    running.add(broker);
    await broker.#spawn();
    return broker;
  }

  /** Stop the broker (SIGTERM, as an operator would; SIGKILL, a crash); resolves once it exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Stop (see {@link stop}), then start again on the same port. */
  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.#spawn();
  }

  async close(): Promise<void> {
    running.delete(this);
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #spawn(): Promise<void> {
    const child = spawn('mosquitto', ['-c', this.#config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => void (this.#output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => void (this.#output += chunk.toString()));
    // Poll the port: mosquitto prints nothing reliable on readiness at the default log level.
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}:\n${this.#output}`);
      return accepts(this.port);
    }, READY_TIMEOUT_MS, `mosquitto listening on ${this.port}`);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
