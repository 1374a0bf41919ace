/**
 * The real Vigil server the plugin's tests run against: one `vigil demo` started for the whole plugin
 * project by globalSetup.js (a demo model with planted drift, outliers, data-quality incidents and a
 * concept shift, so every family has results and alerts).
 */
export interface RunningVigil {
  url: string;
  readKey: string;
  writeKey: string;
  model: string;
  /** The server is shared and stopped by globalTeardown.js; closing from a test file is a no-op. */
  close(): Promise<void>;
}

export async function startVigil(): Promise<RunningVigil> {
  const { VIGIL_TEST_URL, VIGIL_TEST_READ_KEY, VIGIL_TEST_WRITE_KEY, VIGIL_TEST_MODEL } = process.env;
  if (!VIGIL_TEST_URL || !VIGIL_TEST_READ_KEY || !VIGIL_TEST_WRITE_KEY || !VIGIL_TEST_MODEL) {
    throw new Error('no Vigil for the plugin tests: run them through jest (project "plugin"), whose globalSetup starts one');
  }
  return { url: VIGIL_TEST_URL, readKey: VIGIL_TEST_READ_KEY, writeKey: VIGIL_TEST_WRITE_KEY, model: VIGIL_TEST_MODEL, close: async () => {} };
}

/** GET from Vigil directly (not through the plugin), with the read key. */
export async function vigilGet<T>(vigil: RunningVigil, path: string): Promise<T> {
  const get = () => fetch(`${vigil.url}${path}`, { headers: { Authorization: `Bearer ${vigil.readKey}` } });
  // A kept-alive connection the server closed while idle (its keep-alive timeout, between test files
  // in one jest worker) fails the next fetch with "other side closed"; a GET is safe to send again.
  const res = await get().catch((err: Error & { cause?: { code?: string; message?: string } }) => {
    if (err.cause?.message === 'other side closed' || err.cause?.code === 'UND_ERR_SOCKET') return get();
    throw err;
  });
  if (!res.ok) {
    throw new Error(`GET ${path}: HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

/** POST JSON to Vigil directly, with the read key. */
export async function vigilPost<T>(vigil: RunningVigil, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${vigil.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${vigil.readKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as T;
}
