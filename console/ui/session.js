// Who is logged in, and what their role lets the UI offer. The server checks every request
// anyway: this only hides what would be refused.

const ROLES = ['viewer', 'analyst', 'admin'];

export const session = { me: null };

/** Whether the logged-in account has at least role `need`. */
export function can(need) {
  const me = session.me;
  return !!me && ROLES.indexOf(me.role) >= ROLES.indexOf(need);
}
