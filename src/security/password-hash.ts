/**
 * Device secrets as Mosquitto stores them: `$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512>`
 * (mosquitto_passwd 2.0, password_mosq.c), so one record serves the embedded broker and a generated
 * Mosquitto password_file.
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

/** PBKDF2-HMAC-SHA512 rounds for new hashes (OWASP 2023: 210 000); about 0.1 s on one core. */
export const HASH_ITERATIONS = 210_000;
/** Mosquitto's salt length (SALT_LEN 12) and digest length (SHA-512, 64 bytes). */
const SALT_BYTES = 12;
const HASH_BYTES = 64;
/** Bytes of randomness in a generated secret (256 bits), sent as base64url (43 characters). */
const SECRET_BYTES = 32;
const PREFIX = '$7$';

/** A new random secret: 43 base64url characters, safe in URLs, shells and Mosquitto files. */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** Hash `secret` in Mosquitto's `$7$` format with a fresh salt. */
export async function hashSecret(secret: string, iterations = HASH_ITERATIONS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, iterations);
  return `${PREFIX}${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `secret` matches `encoded` (a `$7$` hash); false for a wrong secret or an unreadable hash. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (parsed === undefined) return false;
  const actual = await derive(secret, parsed.salt, parsed.iterations, parsed.hash.length);
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

/** The parts of a `$7$` hash, or undefined when it is not one. */
export function parseHash(encoded: string): { iterations: number; salt: Buffer; hash: Buffer } | undefined {
  if (!encoded.startsWith(PREFIX)) return undefined;
  const [iterationsText, saltText, hashText, extra] = encoded.slice(PREFIX.length).split('$');
  if (iterationsText === undefined || saltText === undefined || hashText === undefined || extra !== undefined) return undefined;
  const iterations = Number(iterationsText);
  if (!Number.isSafeInteger(iterations) || iterations < 1) return undefined;
  const salt = Buffer.from(saltText, 'base64');
  const hash = Buffer.from(hashText, 'base64');
  if (salt.length === 0 || hash.length === 0) return undefined;
  return { iterations, salt, hash };
}

function derive(secret: string, salt: Buffer, iterations: number, length = HASH_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Async: the rounds run on libuv's thread pool, so a CONNECT never blocks device traffic.
    pbkdf2(secret, salt, iterations, length, 'sha512', (error, key) => (error ? reject(error) : resolve(key)));
  });
}
