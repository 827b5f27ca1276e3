// Password hashing: argon2id (PHC string with its own salt and parameters, so stronger
// parameters later still verify old hashes). Verification of an unknown account still hashes,
// so a login's timing does not tell which names exist.

import { Algorithm, hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane)
const PARAMS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

let dummy: Promise<string> | null = null;

/** Whether `password` matches the PHC `stored` hash; an empty `stored` (no password) never does. */
export async function checkPassword(stored: string, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword('not-a-password-of-anyone');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

/** Why a new password is refused, or null. */
export function passwordProblem(p: string): string | null {
  if (p.length < MIN_PASSWORD) return `at least ${MIN_PASSWORD} characters`;
  if (p.length > MAX_PASSWORD) return `at most ${MAX_PASSWORD} characters`;
  return null;
}
