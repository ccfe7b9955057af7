/**
 * Users who log in from a browser. Passwords are guessable, so each is kept as a slow, salted hash:
 * PBKDF2-HMAC-SHA512 with 210 000 rounds and a 12-byte random salt per user, in the same `$7$`
 * format as device secrets (src/security/password-hash.ts). The round count is stored in each hash,
 * so raising it later only affects new and changed passwords.
 */
import { generateSecret, hashSecret, HASH_ITERATIONS, verifySecret } from '../security/password-hash.ts';
import type { Role } from '../core/principal.ts';
import type { UserRecord, UserStore } from '../core/ports/user-store.ts';

/** Letters, digits and `. _ @ -`, 1 to 64 characters: safe in logs, the audit log and principal ids. */
const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
/** NIST SP 800-63B §5.1.1.2 asks for at least 8; a hub that controls machines asks for more. */
export const MIN_PASSWORD_LENGTH = 12;
/** NUL-free and bounded: PBKDF2 cost grows with length, so an unbounded password is a DoS lever. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Why a user name or password is refused, or undefined when it is acceptable. */
export function userNameProblem(name: string): string | undefined {
  return USER_NAME.test(name) ? undefined : `user name must be 1-64 letters, digits, ".", "_", "@" or "-", got "${name.slice(0, 80)}"`;
}

export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

export interface PasswordOptions {
  /** PBKDF2 rounds of the new hash; default {@link HASH_ITERATIONS}. Tests pass a small number. */
  readonly iterations?: number;
}

export interface AddUserOptions extends PasswordOptions {
  readonly name: string;
  readonly role: Role;
  /** None: a random 43-character password is generated and returned (shown once). */
  readonly password?: string;
  readonly now?: () => number;
}

/** Create a user; resolves the password (the generated one when none was given). Throws Error with the reason. */
export async function addUser(store: UserStore, options: AddUserOptions): Promise<{ name: string; role: Role; password: string; generated: boolean }> {
  const problem = userNameProblem(options.name) ?? (options.password === undefined ? undefined : passwordProblem(options.password));
  if (problem !== undefined) throw new Error(problem);
  if ((await store.userByName(options.name)) !== undefined) throw new Error(`user ${options.name} already exists`);
  const password = options.password ?? generateSecret();
  const record: UserRecord = {
    name: options.name,
    role: options.role,
    passwordHash: await hashSecret(password, options.iterations ?? HASH_ITERATIONS),
    createdAt: (options.now ?? Date.now)(),
    disabledAt: null,
  };
  await store.addUser(record);
  return { name: record.name, role: record.role, password, generated: options.password === undefined };
}

/** Set a new password; false when there is no such user. */
export async function changePassword(store: UserStore, name: string, password: string, options: PasswordOptions = {}): Promise<boolean> {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new Error(problem);
  return store.setPasswordHash(name, await hashSecret(password, options.iterations ?? HASH_ITERATIONS));
}

/** A hash no password matches, checked when the name is unknown so that a wrong name takes as long as a wrong password. */
let decoy: Promise<string> | undefined;

/** The user when `password` is theirs and the user is enabled; undefined otherwise (same time either way). */
export async function checkPassword(store: UserStore, name: string, password: string): Promise<UserRecord | undefined> {
  if (password.length > MAX_PASSWORD_LENGTH || userNameProblem(name) !== undefined) return undefined;
  const user = await store.userByName(name);
  if (user === undefined) {
    decoy ??= hashSecret(generateSecret());
    await verifySecret(password, await decoy);
    return undefined;
  }
  const ok = await verifySecret(password, user.passwordHash);
  return ok && user.disabledAt === null ? user : undefined;
}
