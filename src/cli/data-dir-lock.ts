/**
 * One hub per SQLite data directory. Two hubs on one `hub.db` would both ingest, both answer devices
 * and both run the schema upgrades; nothing stopped the second (a manual `llm-iot start` beside the
 * systemd unit). The lock is an exclusive SQLite lock on `<dataDir>/hub.lock`, an OS file lock that
 * the kernel drops when the process ends, kill -9 included: no stale lock file to clean up.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface DataDirLock {
  release(): void;
}

/** Take the directory's lock, or say why not (another hub holds it). */
export function lockDataDir(dataDir: string): DataDirLock | string {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'hub.lock'), { timeout: 0 });
  try {
    // In exclusive locking mode the lock a write transaction takes is kept until the connection closes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (held INTEGER); COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    const holder = readHolder(dataDir);
    return (
      `the data directory ${dataDir} is in use by another llm-iot hub${holder === undefined ? '' : ` (pid ${holder})`}: ` +
      'stop it first, or give this one its own --data-dir'
    );
  }
  writeFileSync(join(dataDir, 'hub.pid'), `${process.pid}\n`);
  return { release: () => db.close() };
}

function readHolder(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'hub.pid'), 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
