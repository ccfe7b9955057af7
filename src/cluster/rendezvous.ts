/**
 * Rendezvous (highest random weight) hashing: the owner of a key among the live members. Every
 * instance that sees the same members picks the same owner, and a member leaving moves only its
 * own keys (Thaler & Ravishankar, "A name-based mapping scheme for rendezvous", 1996).
 */
import { createHash } from 'node:crypto';

/** The weight of `key` for `member`: the first 32 bits of SHA-256 of both (owners are cached per member list). */
function weight(member: string, key: string): number {
  return createHash('sha256').update(`${member}\0${key}`).digest().readUInt32BE(0);
}

/** The member that owns `key`; undefined when there is none. Ties go to the smaller member name. */
export function rendezvousOwner(key: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    const w = weight(member, key);
    if (w > bestWeight || (w === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = w;
    }
  }
  return best;
}
