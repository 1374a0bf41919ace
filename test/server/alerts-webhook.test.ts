/**
 * The receiver of Grafana's alert notifications against the real server (with keys): the route the
 * provisioned contact point posts to (docker-compose's default VIGIL_ALERT_WEBHOOK_URL, with the write key
 * as a Bearer token), the shape check, the log line per notification, and the last 200 kept, newest first.
 */
import * as fs from 'fs';
import * as path from 'path';
import { alerting, readYaml } from '../provisioning/provisioning-files';
import { call, startVigil, tempDir, Vigil } from './helpers';

const WRITE = 'webhook-write-key';
const READ = 'webhook-read-key';
const MAX_KEPT = 200;

let vigil: Vigil;
let dir: string;
/** The path of the compose default URL of the contact point (http://vigil:8700/api/alerts/webhook). */
let webhookPath: string;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'v.db'), env: { VIGIL_WRITE_KEY: WRITE, VIGIL_READ_KEY: READ }, args: ['--host', '127.0.0.1'] });
  const compose = readYaml('docker-compose.yml');
  const url = /^\$\{VIGIL_ALERT_WEBHOOK_URL:-(.+)\}$/.exec(compose.services.grafana.environment.VIGIL_ALERT_WEBHOOK_URL)![1];
  webhookPath = new URL(url).pathname;
}, 120_000);

afterAll(async () => {
  if (vigil) expect(await vigil.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A notification as Grafana's webhook contact point sends it (one group: a model's drift alerts). */
function grafanaNotification(n: number, status: 'firing' | 'resolved' = 'firing') {
  const alert = (column: string) => ({
    status,
    labels: { alertname: 'Univariate drift', grafana_folder: 'Vigil', model: 'demo', column, method: 'jensen_shannon', severity: 'warning', source: 'vigil' },
    annotations: { summary: `Drift on demo/${column} (jensen_shannon)` },
    startsAt: '2026-03-15T10:31:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-03-15T11:31:00Z',
    generatorURL: 'http://grafana:3000/alerting/grafana/vigil-univariate-drift/view',
    fingerprint: `f${n}${column}`,
    silenceURL: 'http://grafana:3000/alerting/silence/new',
    values: { A: 1, B: 1, C: 1 },
    valueString: '[ var=\'C\' labels={} value=1 ]',
  });
  return {
    receiver: 'vigil-webhook',
    status,
    orgId: 1,
    alerts: [alert('income'), alert('region')],
    groupLabels: { alertname: 'Univariate drift', grafana_folder: 'Vigil', model: 'demo' },
    commonLabels: { alertname: 'Univariate drift', model: 'demo', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://grafana:3000/',
    version: '1',
    groupKey: `{}/{}:{alertname="Univariate drift", model="demo"}#${n}`,
    truncatedAlerts: 0,
    title: `[FIRING:2] Univariate drift Vigil demo (${n})`,
    state: 'alerting',
    message: '**Firing**',
  };
}

/** The server's `alert notification` lines once there are `n` (stdout reaches the test a little after the response). */
async function notificationLines(n: number): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const lines = vigil.logs.filter((l) => l.msg === 'alert notification');
    if (lines.length >= n || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const post = (body: unknown, key: string | null = WRITE, contentType?: string) => call(vigil.url, 'POST', webhookPath, { body, key: key ?? undefined, contentType });

test('the provisioned contact point posts to this route with the write key, which docker-compose gives Grafana', () => {
  expect(webhookPath).toBe('/api/alerts/webhook');
  const settings = alerting().contactPoints[0].receivers[0].settings;
  expect(settings).toMatchObject({ httpMethod: 'POST', authorization_scheme: 'Bearer', authorization_credentials: '${VIGIL_WRITE_KEY}' });
  const compose = readYaml('docker-compose.yml');
  expect(compose.services.grafana.environment.VIGIL_WRITE_KEY).toBe(compose.services.vigil.environment.VIGIL_WRITE_KEY);
});

test('a notification is received with the write key, logged as one line, and listed with the read key', async () => {
  const r = await post(grafanaNotification(1));
  expect([r.status, r.body]).toEqual([200, { received: 2 }]);
  const [line] = await notificationLines(1);
  expect(line).toMatchObject({
    level: 'info',
    receiver: 'vigil-webhook',
    status: 'firing',
    alerts: 2,
    firing: 2,
    resolved: 0,
    group_key: expect.stringContaining('#1'),
    common_labels: { alertname: 'Univariate drift', model: 'demo', severity: 'warning' },
    alert_labels: [expect.objectContaining({ column: 'income' }), expect.objectContaining({ column: 'region' })],
  });
  const list = await call(vigil.url, 'GET', webhookPath, { key: READ });
  expect(list.status).toBe(200);
  expect(list.body.notifications[0]).toEqual({ received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), notification: grafanaNotification(1) });
});

test('keys: posting needs the write key, listing a key', async () => {
  expect((await post(grafanaNotification(2), null)).status).toBe(401);
  expect((await post(grafanaNotification(2), 'wrong')).status).toBe(401);
  const readOnly = await post(grafanaNotification(2), READ);
  expect([readOnly.status, readOnly.body.error.code]).toEqual([403, 'forbidden']);
  expect((await call(vigil.url, 'GET', webhookPath)).status).toBe(401);
  expect((await call(vigil.url, 'GET', webhookPath, { key: WRITE })).status).toBe(200);
});

test('anything but an object with an alerts array of objects is 400, naming where, and is not kept', async () => {
  const before = (await call(vigil.url, 'GET', webhookPath, { key: READ })).body.notifications.length;
  const cases: [unknown, string | undefined, string][] = [
    [[grafanaNotification(3)], undefined, 'body'],
    ['"firing"', undefined, 'body'],
    [{ receiver: 'vigil-webhook', status: 'firing' }, undefined, 'body.alerts'],
    [{ ...grafanaNotification(3), alerts: { income: 'firing' } }, undefined, 'body.alerts'],
    [{ ...grafanaNotification(3), alerts: [grafanaNotification(3).alerts[0], 'income'] }, undefined, 'body.alerts[1]'],
    // not JSON: Grafana always sends application/json
    ['receiver=vigil-webhook', 'application/x-www-form-urlencoded', 'body'],
  ];
  for (const [body, contentType, where] of cases) {
    const r = await post(body, WRITE, contentType);
    expect([where, r.status, r.body.error.code, r.body.error.where]).toEqual([where, 400, 'invalid_notification', where]);
  }
  const malformed = await post('{"alerts": [', WRITE);
  expect([malformed.status, malformed.body.error.code]).toEqual([400, 'malformed_body']);
  expect((await call(vigil.url, 'GET', webhookPath, { key: READ })).body.notifications.length).toBe(before);
});

test(`the last ${MAX_KEPT} notifications are kept, newest first`, async () => {
  const total = MAX_KEPT + 5;
  for (let i = 0; i < total; i++) {
    const r = await post(grafanaNotification(1000 + i, i % 2 ? 'resolved' : 'firing'));
    expect(r.status).toBe(200);
  }
  const list = (await call(vigil.url, 'GET', webhookPath, { key: READ })).body.notifications;
  expect(list).toHaveLength(MAX_KEPT);
  expect(list.map((e: any) => e.notification.groupKey)).toEqual(Array.from({ length: MAX_KEPT }, (_, k) => grafanaNotification(1000 + total - 1 - k).groupKey));
  const times = list.map((e: any) => Date.parse(e.received_at));
  for (let k = 1; k < times.length; k++) expect(times[k]).toBeLessThanOrEqual(times[k - 1]);
  // One log line per notification: the resolved ones say so.
  const lines = await notificationLines(1 + total);
  expect(lines).toHaveLength(1 + total);
  expect(lines.at(-2)).toMatchObject({ status: 'resolved', firing: 0, resolved: 2 });
});

test('the OpenAPI document describes both methods', async () => {
  const doc = (await call(vigil.url, 'GET', '/api/openapi.json')).body;
  expect(Object.keys(doc.paths['/api/alerts/webhook']).sort()).toEqual(['get', 'post']);
  expect(doc.components.schemas.GrafanaNotification.required).toEqual(['alerts']);
});
