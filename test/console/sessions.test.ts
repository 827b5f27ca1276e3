// Sessions end after their idle time or their maximum age, whichever comes first; the CSRF
// check is exact; failed logins lock an account for the lockout time and no longer after it.

import { describe, expect, it } from 'vitest';
import { csrfMatches, Lockout, Sessions } from '../../console/sessions.js';

describe('Sessions', () => {
  it('ends a session idle longer than idleMs, and one older than maxMs however busy', () => {
    let t = 1_000_000;
    const s = new Sessions(60_000, 180_000, () => t);
    try {
      const a = s.create('ann', 'password');
      t += 59_000;
      expect(s.touch(a.id)?.user).toBe('ann');
      t += 60_001;
      expect(s.touch(a.id)).toBeNull();
      const b = s.create('bob', 'password');
      for (let i = 0; i < 3; i++) {
        t += 50_000;
        expect(s.touch(b.id)).not.toBeNull();
      }
      t += 40_000; // 190 s after login, 40 s after the last request
      expect(s.touch(b.id)).toBeNull();
      expect(s.touch(undefined)).toBeNull();
      expect(s.touch('not-a-session')).toBeNull();
    } finally {
      s.close();
    }
  });

  it('ends every session of a user', () => {
    const s = new Sessions(60_000, 180_000);
    try {
      const a = s.create('ann', 'password');
      const b = s.create('ann', 'oidc');
      const c = s.create('bob', 'password');
      s.endUser('ann');
      expect([s.touch(a.id), s.touch(b.id)]).toEqual([null, null]);
      expect(s.touch(c.id)?.user).toBe('bob');
    } finally {
      s.close();
    }
  });

  it('checks the CSRF token exactly', () => {
    const s = new Sessions(60_000, 180_000);
    try {
      const a = s.create('ann', 'password');
      expect(csrfMatches(a, a.csrf)).toBe(true);
      expect(csrfMatches(a, `${a.csrf}x`)).toBe(false);
      expect(csrfMatches(a, a.csrf.slice(1))).toBe(false);
      expect(csrfMatches(a, undefined)).toBe(false);
      expect(csrfMatches(a, s.create('ann', 'password').csrf)).toBe(false);
    } finally {
      s.close();
    }
  });
});

describe('Lockout', () => {
  it('locks after `limit` failures in a row, for lockMs; a success resets the count', () => {
    let t = 0;
    const l = new Lockout(3, 900_000, () => t);
    l.failed('ann');
    l.failed('ann');
    l.succeeded('ann');
    l.failed('ann');
    l.failed('ann');
    expect(l.lockedFor('ann')).toBe(0);
    l.failed('ann');
    expect(l.lockedFor('ann')).toBe(900_000);
    expect(l.lockedFor('bob')).toBe(0);
    t += 899_999;
    expect(l.lockedFor('ann')).toBe(1);
    t += 1;
    expect(l.lockedFor('ann')).toBe(0);
  });
});
