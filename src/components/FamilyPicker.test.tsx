import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { chooseOption, expectOptions, openCombobox } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import type { CatalogResponse } from '../api';
import { FamilyPicker } from './FamilyPicker';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;

beforeAll(async () => {
  vigil = await startVigil();
  plugin = await connectPlugin(vigil.url, { apiKey: vigil.readKey });
});
afterAll(async () => {
  await plugin?.close();
  await vigil?.close();
});

describe('FamilyPicker', () => {
  it('lists the families of the server’s catalog and reports the choice', async () => {
    const { families } = await vigilGet<CatalogResponse>(vigil, '/api/catalog');
    const onChange = jest.fn();
    render(<FamilyPicker datasource={plugin.datasource} value="univariate_drift" onChange={onChange} />);
    await openCombobox('Family');
    await expectOptions(families.map((f) => f.label));
    await chooseOption('Family', families[families.length - 1].label);
    expect(onChange).toHaveBeenLastCalledWith(families[families.length - 1].id);
  });

  it('offers "All families" where allowed and reports it as no family', async () => {
    const onChange = jest.fn();
    render(<FamilyPicker datasource={plugin.datasource} value="outliers" allowAll onChange={onChange} />);
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Family' })).toHaveValue('Outliers'));
    await chooseOption('Family', 'All families');
    expect(onChange).toHaveBeenLastCalledWith(undefined);
  });
});
