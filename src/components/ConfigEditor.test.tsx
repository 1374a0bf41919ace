import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';
import type { VigilOptions, VigilSecureOptions } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Settings = DataSourceSettings<VigilOptions, VigilSecureOptions>;

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

/** The editor as Grafana's settings page hosts it: it keeps the settings the editor hands back. */
function SettingsPage({ initial, onSave }: { initial: Settings; onSave: (s: Settings) => void }) {
  const [options, setOptions] = useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(o) => {
        setOptions(o);
        onSave(o);
      }}
    />
  );
}

describe('ConfigEditor', () => {
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
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(saved.at(-1)!.secureJsonFields).toEqual({ apiKey: false });
    expect(saved.at(-1)!.secureJsonData).toEqual({ apiKey: '' });
    expect(screen.getByLabelText(/^API key/)).toBeEnabled();
  });
});
