import http from 'node:http';
import type { AddressInfo } from 'node:net';
import React, { useState } from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import { Alert, Button } from '@grafana/ui';
import { connectPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import type { VigilOptions, VigilSecureOptions } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Settings = DataSourceSettings<VigilOptions, VigilSecureOptions & Record<string, string>>;

let vigil: RunningVigil;
beforeAll(async () => {
  vigil = await startVigil();
});

const settings = (over: Partial<Settings> = {}): Settings =>
  ({
    id: 1,
    uid: 'vigil',
    orgId: 1,
    name: 'Vigil',
    type: 'vigil-mlmonitor-datasource',
    typeName: 'Vigil',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...over,
  }) as Settings;

/**
 * Grafana's settings page around the editor: it keeps what the editor hands back, and "Save & test"
 * builds the data source from the saved settings (through the data proxy, which applies the key route and
 * the custom headers) and shows the health check's outcome, as Grafana does with a rejection's message.
 */
function SettingsPage({ initial, onSave }: { initial: Settings; onSave?: (s: Settings) => void }) {
  const [options, setOptions] = useState(initial);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string }>();
  const saveAndTest = async () => {
    const plugin = await connectPlugin(options.url, { jsonData: options.jsonData, secureJsonData: options.secureJsonData as Record<string, string> });
    try {
      const result = await plugin.datasource.testDatasource();
      setOutcome({ ok: true, message: result.message });
    } catch (err) {
      setOutcome({ ok: false, message: (err as Error).message });
    } finally {
      await plugin.close();
    }
  };
  return (
    <>
      <ConfigEditor
        options={options}
        onOptionsChange={(o) => {
          setOptions(o as Settings);
          onSave?.(o as Settings);
        }}
      />
      <Button onClick={saveAndTest}>Save &amp; test</Button>
      {outcome && (
        <Alert data-testid="health" title={outcome.ok ? 'success' : 'error'} severity={outcome.ok ? 'success' : 'error'}>
          {outcome.message}
        </Alert>
      )}
    </>
  );
}

async function saveAndTest(): Promise<{ title: string; message: string }> {
  await userEvent.click(screen.getByRole('button', { name: 'Save & test' }));
  const alert = await screen.findByTestId('health', {}, { timeout: 10_000 });
  return { title: within(alert).getByText(/^(success|error)$/).textContent!, message: alert.textContent!.replace(/^(success|error)/, '') };
}

describe('ConfigEditor', () => {
  it('shows the description with a docs link and the sections of Grafana’s settings pages', () => {
    render(<SettingsPage initial={settings()} />);
    expect(screen.getByRole('link', { name: /view the documentation/i })).toHaveAttribute('href', '/plugins/vigil-mlmonitor-datasource');
    for (const title of ['Connection', 'Authentication', 'Vigil', 'Additional settings']) {
      expect(screen.getByRole('heading', { name: title })).toBeInTheDocument();
    }
  });

  it('edits the URL, the API key (as a secret), the default model and the Prometheus uid', async () => {
    const saved: Settings[] = [];
    render(<SettingsPage initial={settings()} onSave={(s) => saved.push(s)} />);
    await userEvent.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:8700');
    await userEvent.type(screen.getByLabelText(/^API key/), 's3cret');
    await userEvent.type(screen.getByLabelText(/^Default model/), 'demo');
    await userEvent.type(screen.getByLabelText(/^Prometheus data source uid/), 'prom-1');

    const last = saved.at(-1)!;
    expect(last.url).toBe('http://127.0.0.1:8700');
    expect(last.access).toBe('proxy');
    expect(last.secureJsonData).toEqual({ apiKey: 's3cret' });
    // the key is never part of the plain settings Grafana hands to the browser
    expect(JSON.stringify(last.jsonData)).not.toContain('s3cret');
    expect(last.jsonData).toEqual({ defaultModel: 'demo', prometheusUid: 'prom-1' });
    expect(screen.getByLabelText(/^API key/)).toHaveAttribute('type', 'password');
  });

  it('shows a stored key as configured and lets the user reset it', async () => {
    const saved: Settings[] = [];
    render(<SettingsPage initial={settings({ secureJsonFields: { apiKey: true } })} onSave={(s) => saved.push(s)} />);
    const key = screen.getByLabelText(/^API key/);
    expect(key).toHaveValue('configured');
    expect(key).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(saved.at(-1)!.secureJsonFields).toEqual({ apiKey: false });
    expect(saved.at(-1)!.secureJsonData).toEqual({ apiKey: '' });
    expect(screen.getByLabelText(/^API key/)).toBeEnabled();
  });

  it('keeps the data proxy’s settings where Grafana reads them: timeout, TLS with CA, skip verify, custom headers', async () => {
    const saved: Settings[] = [];
    render(<SettingsPage initial={settings({ url: vigil.url })} onSave={(s) => saved.push(s)} />);
    await userEvent.click(screen.getByRole('button', { name: 'Expand section Additional settings' }));
    await userEvent.type(screen.getByLabelText(/^Timeout/), '42');
    expect(saved.at(-1)!.jsonData).toMatchObject({ timeout: 42 });

    await userEvent.click(screen.getByLabelText('Add self-signed certificate'));
    expect(saved.at(-1)!.jsonData).toMatchObject({ tlsAuthWithCACert: true });
    await userEvent.type(screen.getByPlaceholderText('Begins with --- BEGIN CERTIFICATE ---'), 'CA-PEM');
    expect(saved.at(-1)!.secureJsonData!.tlsCACert).toBe('CA-PEM');
    await userEvent.click(screen.getByLabelText('Skip TLS certificate validation'));
    expect(saved.at(-1)!.jsonData).toMatchObject({ tlsSkipVerify: true });

    await userEvent.click(screen.getByRole('button', { name: 'Expand section HTTP headers' }));
    await userEvent.click(screen.getByRole('button', { name: /Add header/ }));
    await userEvent.type(screen.getByPlaceholderText('X-Custom-Header'), 'X-Team');
    await userEvent.type(screen.getByPlaceholderText('Header value'), 'ml-ops');
    await userEvent.tab(); // the value is committed when the field loses focus
    const last = saved.at(-1)!;
    expect(last.jsonData).toMatchObject({ httpHeaderName1: 'X-Team' });
    expect(last.secureJsonData).toMatchObject({ httpHeaderValue1: 'ml-ops' });
    expect(JSON.stringify(last.jsonData)).not.toContain('ml-ops');
  });

  it('chooses between the API key and no authentication', async () => {
    const saved: Settings[] = [];
    render(<SettingsPage initial={settings()} onSave={(s) => saved.push(s)} />);
    await userEvent.click(screen.getByRole('combobox', { name: /Authentication method/i }));
    await userEvent.click(await screen.findByText('No authentication'));
    expect(saved.at(-1)!.jsonData.authMethod).toBe('none');
    expect(screen.queryByLabelText(/^API key/)).not.toBeInTheDocument();
  });
});

describe('Save & test against a real Vigil', () => {
  it('succeeds with the URL and the read key, and says what it found', async () => {
    const health = await vigilGet<{ version: string; models: number }>(vigil, '/api/health');
    render(<SettingsPage initial={settings()} />);
    await userEvent.type(screen.getByLabelText(/^URL/), vigil.url);
    await userEvent.type(screen.getByLabelText(/^API key/), vigil.readKey);
    expect(await saveAndTest()).toEqual({ title: 'success', message: `Connected to Vigil ${health.version}: ${health.models} model(s).` });
  });

  it('fails on a wrong key, and says to enter the read key', async () => {
    render(<SettingsPage initial={settings()} />);
    await userEvent.type(screen.getByLabelText(/^URL/), vigil.url);
    await userEvent.type(screen.getByLabelText(/^API key/), 'not-the-key');
    const outcome = await saveAndTest();
    expect(outcome.title).toBe('error');
    expect(outcome.message).toMatch(/^Vigil rejected the API key \(HTTP 401\): enter Vigil's read key \(VIGIL_READ_KEY\)/);
  });

  it('fails when nothing answers at the URL, and says to check it', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    render(<SettingsPage initial={settings()} />);
    await userEvent.type(screen.getByLabelText(/^URL/), `http://127.0.0.1:${port}`);
    await userEvent.type(screen.getByLabelText(/^API key/), vigil.readKey);
    const outcome = await saveAndTest();
    expect(outcome.title).toBe('error');
    expect(outcome.message).toMatch(/^Cannot reach Vigil \(HTTP 502\): check the URL/);
  });

  it('fails when the URL is another web server, and says what the URL should be', async () => {
    const other = http.createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      render(<SettingsPage initial={settings()} />);
      await userEvent.type(screen.getByLabelText(/^URL/), `http://127.0.0.1:${(other.address() as AddressInfo).port}`);
      await userEvent.type(screen.getByLabelText(/^API key/), vigil.readKey);
      const outcome = await saveAndTest();
      expect(outcome.title).toBe('error');
      expect(outcome.message).toMatch(/^No Vigil API at this URL \(HTTP 404 on \/api\/health\): the URL should be the server root/);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  it('sends the custom headers on the way to Vigil', async () => {
    const seen: Array<string | undefined> = [];
    // a front of Vigil that requires a header, as a team's gateway would
    const gateway = http.createServer((req, res) => {
      seen.push(req.headers['x-team'] as string | undefined);
      if (req.headers['x-team'] !== 'ml-ops') {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"error":{"code":"forbidden","message":"missing X-Team"}}');
        return;
      }
      const up = http.request(`${vigil.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    try {
      render(<SettingsPage initial={settings()} />);
      await userEvent.type(screen.getByLabelText(/^URL/), `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`);
      await userEvent.type(screen.getByLabelText(/^API key/), vigil.readKey);
      await userEvent.click(screen.getByRole('button', { name: 'Expand section HTTP headers' }));
    await userEvent.click(screen.getByRole('button', { name: /Add header/ }));
      await userEvent.type(screen.getByPlaceholderText('X-Custom-Header'), 'X-Team');
      await userEvent.type(screen.getByPlaceholderText('Header value'), 'ml-ops');
      expect((await saveAndTest()).title).toBe('success');
      expect(seen).toEqual(['ml-ops']);
    } finally {
      gateway.closeAllConnections();
      await new Promise<void>((r) => gateway.close(() => r()));
    }
  });
});
