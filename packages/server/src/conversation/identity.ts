/** Who is on the other end of a session, as established at session creation. */
export type Identity =
  | { kind: 'guest' }
  | { kind: 'customer'; customerId: string; name: string | null; email: string | null };

export type Role = 'guest' | 'customer' | 'agent' | 'admin';

export function roleOf(identity: Identity): Role {
  return identity.kind === 'guest' ? 'guest' : 'customer';
}
