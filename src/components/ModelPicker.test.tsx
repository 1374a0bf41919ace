import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, type RunningVigil } from '../../test/plugin/support/vigil';
import { ModelPicker } from './ModelPicker';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;

beforeAll(async () => {
  vigil = await startVigil();
  plugin = await connectPlugin(vigil.url, { apiKey: vigil.readKey, variables: [{ name: 'model', current: vigil.model }] });
});
afterAll(async () => {
  await plugin?.close();
  await vigil?.close();
});

describe('ModelPicker', () => {
  it('lists the server’s models and the dashboard’s variables, and reports the choice', async () => {
    const onChange = jest.fn();
    render(<ModelPicker datasource={plugin.datasource} value="" onChange={onChange} />);
    const input = screen.getByRole('combobox', { name: 'Model' });
    await userEvent.click(input);
    // the demo also has demo_regions: the option named exactly the model
    const option = await screen.findByRole('option', { name: new RegExp(`^${vigil.model}(?!\\w)`) });
    expect(screen.getByRole('option', { name: /^\$model/ })).toBeInTheDocument();
    await userEvent.click(option);
    expect(onChange).toHaveBeenCalledWith(vigil.model);
    expect(plugin.proxy.requests.some((r) => r.path.endsWith('/api/models') && r.upstreamStatus === 200)).toBe(true);
  });
});
