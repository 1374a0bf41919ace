import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { instanceSettings } from '../../test/plugin/support/plugin';
import { TestTemplateSrv } from '../../test/plugin/support/templateSrv';
import { VigilDataSource } from '../datasource';
import { createInterpolator } from '../interpolate';
import { buildQueryRequest } from '../request';
import type { VigilQuery } from '../types';
import { EXAMPLES, QueryEditorHelp } from './QueryEditorHelp';

describe('QueryEditorHelp', () => {
  it('shows each example and hands it over with the current refId', async () => {
    const onClickExample = jest.fn();
    const datasource = new VigilDataSource(instanceSettings('/api/datasources/proxy/uid/vigil'), new TestTemplateSrv());
    render(<QueryEditorHelp datasource={datasource} query={{ refId: 'C' } as VigilQuery} onClickExample={onClickExample} />);
    for (const example of EXAMPLES) {
      expect(screen.getByText(example.title)).toBeInTheDocument();
    }
    const buttons = screen.getAllByRole('button', { name: 'Use this query' });
    expect(buttons).toHaveLength(EXAMPLES.length);
    await userEvent.click(buttons[2]);
    expect(onClickExample).toHaveBeenCalledWith({ ...EXAMPLES[2].query, refId: 'C' });
  });

  it('has examples that become valid API queries once $model and $column are set', () => {
    const interpolator = createInterpolator(
      new TestTemplateSrv([
        { name: 'model', current: 'demo' },
        { name: 'column', current: ['a', 'b'] },
      ])
    );
    const body = buildQueryRequest(
      EXAMPLES.map((e, i) => ({ ...e.query, refId: String(i) })),
      { from: 0, to: 1 },
      interpolator
    );
    expect(body.queries).toHaveLength(EXAMPLES.length);
    expect(body.queries.every((q) => q.model === 'demo')).toBe(true);
    expect(body.queries[1].columns).toEqual(['a', 'b']);
  });
});
