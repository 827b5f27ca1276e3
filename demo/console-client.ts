// The demo reads what it shows through the console's API, as the person at the browser does:
// it logs in with the demo's account and asks for alerts and a host. What the demo prints is
// therefore what the console shows.

export interface ConsoleAlert {
  alert_id: string;
  kind: string;
  severity: string;
  ip: string;
  port: number;
  message: string;
}

export interface ConsoleVerification {
  port: number;
  status: string;
  service: string;
  product: string;
  version: string;
  reason: string;
}

export interface ConsoleService {
  ip: string;
  port: number;
  state: string;
  last_seen: number;
  closed_at: number | null;
}

export interface ConsoleClient {
  alerts(query: string): Promise<ConsoleAlert[]>;
  services(query: string): Promise<ConsoleService[]>;
  /** the host's verifications, none when it is not in the inventory yet */
  verifications(ip: string): Promise<ConsoleVerification[]>;
}

export async function consoleLogin(url: string, name: string, password: string): Promise<ConsoleClient> {
  const r = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (r.status !== 200) throw new Error(`console login as ${name}: HTTP ${r.status} ${await r.text()}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  const get = async <T>(path: string): Promise<T | null> => {
    const res = await fetch(`${url}/api/v1${path}`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`console ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  return {
    alerts: async (query) => (await get<{ items: ConsoleAlert[] }>(`/alerts?${query}`))?.items ?? [],
    services: async (query) => (await get<{ items: ConsoleService[] }>(`/services?${query}`))?.items ?? [],
    verifications: async (ip) =>
      (await get<{ verifications: ConsoleVerification[] }>(`/hosts/${ip}`))?.verifications ?? [],
  };
}
