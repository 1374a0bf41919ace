/**
 * @jest-environment node
 */
// The editors in a real browser: headless Chromium (Debian's) opens the dev-only harness page, which
// mounts the plugin's ConfigEditor and QueryEditor with Grafana's theme; the page talks to a running
// Vigil through the data proxy that serves it. The test picks a model and a metric the way a user does,
// then checks the request the plugin sent (and that the browser never held the API key) and the frames
// it shows against Vigil's own answer. Screenshots for the docs: VIGIL_UPDATE_SCREENSHOTS=1 rewrites
// docs/img/query-editor.png and docs/img/config-editor.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { METRICS, RESULT_FIELDS } from '../../backend/engine/catalog';
import pluginJson from '../../src/plugin.json';
import type { QueryApiRequest, QueryApiResponse, SeriesInfo } from '../../src/api';
import { DEFAULT_FIELDS } from '../../src/types';
import { startDataProxy, type DataProxy, type PluginRoute } from '../plugin/support/dataProxy';
import { DATASOURCE_UID } from '../plugin/support/settings';
import { startVigil, vigilGet, type RunningVigil } from '../plugin/support/vigil';
import { isDeepStrictEqual } from 'util';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildHarness } = require('./harness/build');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { harnessHtml } = require('./harness/page');

const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
/** Flags for Chromium as root in a sandbox without network (see the machine notes). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A range that holds every chunk of the test model (the plugin sends it as from/to). */
const RANGE = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) };

let vigil: RunningVigil;
let proxy: DataProxy;
let context: BrowserContext;
let page: Page;
let work: string;

/**
 * A section of the harness page as a PNG. docs/img/<file> is rewritten on request only (pixels differ
 * slightly between runs, and a test run should not dirty the work tree) or when missing; otherwise the
 * shot goes to the run's temp folder.
 */
async function screenshot(section: string, file: string): Promise<void> {
  const docsPath = path.join(ROOT, 'docs/img', file);
  const target = process.env.VIGIL_UPDATE_SCREENSHOTS === '1' || !fs.existsSync(docsPath) ? docsPath : path.join(work, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // the element's own shot scrolls it into view: the settings section is taller than the window
  await page.locator(`section[aria-label="${section}"]`).screenshot({ path: target });
  const png = fs.readFileSync(target);
  // the plugin's catalogue screenshot (src/plugin.json info.screenshots) is the same picture
  if (target === docsPath && file === 'query-editor.png') fs.copyFileSync(target, path.join(ROOT, 'src/img/screenshot-query-editor.png'));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.length).toBeGreaterThan(10_000);
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-browser-'));
  const [running, bundleDir] = await Promise.all([startVigil(), buildHarness(path.join(work, 'bundle'))]);
  vigil = running;
  const config = {
    proxyPath: `/api/datasources/proxy/uid/${DATASOURCE_UID}`,
    vigilUrl: vigil.url,
    jsonData: { prometheusUid: 'vigil-prometheus' },
    variables: [{ name: 'model', current: vigil.model }],
    range: RANGE,
  };
  fs.writeFileSync(path.join(work, 'index.html'), harnessHtml(config));
  proxy = await startDataProxy({
    uid: DATASOURCE_UID,
    url: vigil.url,
    routes: pluginJson.routes as PluginRoute[],
    secureJsonData: { apiKey: vigil.readKey },
    staticFiles: { '/': path.join(work, 'index.html') },
    staticDirs: {
      '/harness/': bundleDir,
      '/public/build/img/icons/': path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img/icons'),
    },
  });
  context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
  });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await proxy?.close();
  await vigil?.close();
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

/** Retries an assertion until it passes or `timeoutMs` is over (the page updates asynchronously). */
async function eventually(assertion: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** An option of the open list, by its label (the description below it is not part of the match). */
const option = (label: string) => page.getByRole('option').filter({ has: page.locator('[class*="combobox-option-label"]', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });

describe('QueryEditor in Chromium', () => {
  it('picks a model and a metric, sends the query through the data proxy and shows the frames', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const queryRequests: Request[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/query')) {
        queryRequests.push(r);
      }
    });

    await page.goto(proxy.origin + '/');
    await page.getByRole('heading', { name: 'Vigil plugin harness (dev only)' }).waitFor();
    await page.getByRole('combobox', { name: 'Model' }).click();
    await option(vigil.model).click();

    const { series } = await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`);
    const metric = series[0].metric;
    const metricLabel = METRICS.find((m) => m.family === 'univariate_drift' && m.id === metric)!.label;
    await page.getByRole('combobox', { name: 'Metrics' }).click();
    await option(metricLabel).click();
    await page.keyboard.press('Escape');

    // the request: what the query model says, with the time range, and no key from the browser
    const expectedBody: QueryApiRequest = {
      from: RANGE.from,
      to: RANGE.to,
      intervalMs: 3_600_000, // the harness panel's interval, passed on for downsampling
      queries: [
        { refId: 'A', model: vigil.model, family: 'univariate_drift', metrics: [metric], columns: [], fields: [...DEFAULT_FIELDS], period: 'analysis', format: 'time_series' },
      ],
    };
    await eventually(() => expect(queryRequests.map((r) => r.postDataJSON())).toContainEqual(expectedBody));
    const sent = queryRequests.find((r) => isDeepStrictEqual(r.postDataJSON(), expectedBody))!;
    expect(sent.method()).toBe('POST');
    expect(new URL(sent.url()).pathname).toBe(`/api/datasources/proxy/uid/${DATASOURCE_UID}/api/query`);
    expect(await sent.headerValue('authorization')).toBeNull();
    const proxied = proxy.requests.filter((r) => r.path.endsWith('/api/query'));
    expect(proxied.every((r) => !r.browserSentAuthorization && r.addedHeaders.Authorization === `Bearer ${vigil.readKey}`)).toBe(true);

    // the result: the frames Vigil answers for that body, as the plugin maps them
    const direct = (await (
      await fetch(`${vigil.url}/api/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${vigil.readKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(expectedBody),
      })
    ).json()) as QueryApiResponse;
    const frames = direct.results.A.frames;
    expect(frames.length).toBeGreaterThan(0);
    await eventually(async () => expect(await page.getByTestId('vigil-frame-name').allTextContents()).toEqual(frames.map((f) => f.name)));
    expect(await page.getByTestId('vigil-frame-rows').allTextContents()).toEqual(frames.map((f) => String(f.fields[0].values.length)));
    // field names and types as Vigil sent them, plus `value_open` after `value` when the last chunk is
    // open (the demo's clock is pinned: its last day is); the metric's unit on every measured field
    const unit = METRICS.find((m) => m.family === 'univariate_drift' && m.id === metric)!.unit;
    const measured = new Set<string>(RESULT_FIELDS.filter((f) => f !== 'alert'));
    const withOpen = (f: (typeof frames)[number]) => {
      const fields = f.fields.map((x) => `${x.name}:${x.type}${measured.has(x.name) ? `[${unit}]` : ''}`);
      const open = f.fields.find((x) => x.name === 'partial')!.values.some((p) => p === true);
      if (open) fields.splice(fields.indexOf(`value:number[${unit}]`) + 1, 0, `value_open:number[${unit}]`);
      return fields.join(' ');
    };
    expect(frames.every((f) => f.fields.find((x) => x.name === 'partial')!.values.at(-1) === true)).toBe(true);
    const expectedFields = frames.map(withOpen);
    expect(await page.getByTestId('vigil-frame-fields').allTextContents()).toEqual(expectedFields);
    expect(expectedFields[0]).toMatch(/^time:time .*value:number/);
    // the rule "Create alert rule" opens queries exactly this
    expect(await page.getByTestId('vigil-promql').textContent()).toBe(`max without (partial) (vigil_univariate_drift_alert{model="${vigil.model}",method="${metric}"})`);
    expect(errors).toEqual([]);

    await page.mouse.click(5, 5); // focus away from the picker, as a user would before looking
    await screenshot('Query', 'query-editor.png');
    // the settings page as a user sees it: key stored, the data proxy's HTTP headers and advanced settings open
    await page.getByRole('button', { name: 'Expand section HTTP headers' }).click();
    await page.getByRole('button', { name: 'Expand section Additional settings' }).click();
    await page.mouse.click(5, 5);
    await screenshot('Data source settings', 'config-editor.png');
  }, 60_000);
});
