/**
 * Rendezvous (highest random weight) hashing: the owner of a key among the live members. Every
 * instance that sees the same members picks the same owner, and a member leaving moves only its
 * own keys (Thaler & Ravishankar, "A name-based mapping scheme for rendezvous", 1996).
 */

/** FNV-1a 32-bit of `member \0 key`, then a 32-bit finalizer (murmur3 fmix32) to spread close inputs. */
function weight(member: string, key: string): number {
  let h = 0x811c9dc5;
  const text = `${member}\0${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
