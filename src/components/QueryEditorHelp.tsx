import React from 'react';
import type { QueryEditorHelpProps } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';
import { DEFAULT_QUERY, type SeriesQueryModel, type VigilQuery } from '../types';

interface Example {
  title: string;
  explanation: string;
  query: SeriesQueryModel;
}

/** Example queries; `$model` and `$column` are dashboard variables (see the variable editor). */
export const EXAMPLES: Example[] = [
  {
    title: 'Drift of every feature',
    explanation: 'Each column by its drift method (without methods: the one auto picked for it), with its thresholds and alert flag.',
    query: { ...DEFAULT_QUERY, model: '$model', family: 'univariate_drift', metrics: [], columns: [] },
  },
  {
    title: 'Drift of the columns picked on the dashboard',
    explanation: 'A multi-value $column variable (All works too) expands into one series per column.',
    query: { ...DEFAULT_QUERY, model: '$model', family: 'univariate_drift', metrics: [], columns: ['$column'] },
  },
  {
    title: 'Estimated ROC AUC with its confidence band',
    explanation: 'CBPE estimate, thresholds and the ±3σ sampling-error band, analysis and reference.',
    query: {
      ...DEFAULT_QUERY,
      model: '$model',
      family: 'estimated_performance',
      metrics: ['roc_auc'],
      fields: ['value', 'upper_confidence_boundary', 'lower_confidence_boundary', 'upper_threshold', 'lower_threshold', 'alert'],
      period: 'both',
    },
  },
  {
    title: 'Missing values as a table',
    explanation: 'One row per chunk and column; sort by value to find the worst.',
    query: { ...DEFAULT_QUERY, model: '$model', family: 'data_quality', metrics: ['missing_values'], columns: [], format: 'table' },
  },
];

export function QueryEditorHelp({ onClickExample, query }: QueryEditorHelpProps<VigilQuery>) {
  return (
    <Stack direction="column" gap={2}>
      <Text element="p">
        Pick a model, a metric family, the metrics and (for drift, data quality and summary statistics) the columns. Empty
        metric or column lists mean all of them. Every field accepts dashboard variables such as $model and $column.
        &quot;Create alert rule&quot; opens a Grafana alert rule with the same series in PromQL.
      </Text>
      {EXAMPLES.map((example) => (
        <Stack key={example.title} direction="column" gap={0.5}>
          <Text element="h5">{example.title}</Text>
          <Text color="secondary">{example.explanation}</Text>
          <div>
            <Button size="sm" variant="secondary" onClick={() => onClickExample({ ...example.query, refId: query.refId } as VigilQuery)}>
              Use this query
            </Button>
          </div>
        </Stack>
      ))}
    </Stack>
  );
}
