import React from 'react';
import { render } from '@testing-library/react';
import { chooseOption } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, type RunningVigil } from '../../test/plugin/support/vigil';
import type { VigilQuery } from '../types';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';

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

describe('AnnotationQueryEditor', () => {
  it('edits the alerts query of an annotation: model, then optionally one family', async () => {
    const onChange = jest.fn();
    const onAnnotationChange = jest.fn();
    const annotation = { name: 'Vigil alerts', enable: true, iconColor: 'red', target: { refId: 'Anno', queryType: 'alerts', model: '' } as VigilQuery };
    const { rerender } = render(
      <AnnotationQueryEditor
        datasource={plugin.datasource}
        query={annotation.target}
        onChange={onChange}
        onRunQuery={jest.fn()}
        annotation={annotation}
        onAnnotationChange={onAnnotationChange}
      />
    );
    await chooseOption('Model', vigil.model);
    const withModel = { refId: 'Anno', queryType: 'alerts', model: vigil.model };
    expect(onChange).toHaveBeenLastCalledWith(withModel);
    expect(onAnnotationChange).toHaveBeenLastCalledWith({ ...annotation, target: withModel });

    rerender(
      <AnnotationQueryEditor
        datasource={plugin.datasource}
        query={withModel as VigilQuery}
        onChange={onChange}
        onRunQuery={jest.fn()}
        annotation={{ ...annotation, target: withModel as VigilQuery }}
        onAnnotationChange={onAnnotationChange}
      />
    );
    await chooseOption('Family', 'Univariate drift');
    expect(onChange).toHaveBeenLastCalledWith({ ...withModel, family: 'univariate_drift' });
  });
});
