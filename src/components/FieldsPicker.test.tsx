import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RESULT_FIELDS, type ResultField } from '../../backend/engine/catalog';
import { chooseOptions, expectOptions, openCombobox } from '../../test/plugin/support/combobox';
import { RESULT_FIELD_LABELS } from '../frames';
import type { Period, QueryFormat } from '../types';
import { FieldsPicker } from './FieldsPicker';
import { FormatPicker } from './FormatPicker';
import { PeriodPicker } from './PeriodPicker';

describe('FieldsPicker', () => {
  it('offers every result field of the catalog and toggles them', async () => {
    const onChange = jest.fn();
    function Host() {
      const [value, setValue] = useState<ResultField[]>(['value']);
      return (
        <FieldsPicker
          value={value}
          onChange={(v) => {
            setValue(v);
            onChange(v);
          }}
        />
      );
    }
    render(<Host />);
    await openCombobox('Fields');
    await expectOptions(RESULT_FIELDS.map((f) => RESULT_FIELD_LABELS[f]));
    await userEvent.keyboard('{Escape}');
    await chooseOptions('Fields', ['realized', 'value']);
    expect(onChange).toHaveBeenLastCalledWith(['realized']);
  });
});

describe('PeriodPicker and FormatPicker', () => {
  it('switch period and format', async () => {
    const period = jest.fn<void, [Period]>();
    const format = jest.fn<void, [QueryFormat]>();
    render(
      <>
        <PeriodPicker value="analysis" onChange={period} />
        <FormatPicker value="time_series" onChange={format} />
      </>
    );
    expect(screen.getByRole('radio', { name: 'Analysis' })).toBeChecked();
    await userEvent.click(screen.getByRole('radio', { name: 'Reference' }));
    await userEvent.click(screen.getByRole('radio', { name: 'Table' }));
    expect(period).toHaveBeenCalledWith('reference');
    expect(format).toHaveBeenCalledWith('table');
  });
});
