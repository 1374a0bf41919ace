import React from 'react';
import { Button, Stack, Text } from '@grafana/ui';
import { locationService } from '@grafana/runtime';
import type { VigilDataSource } from '../datasource';
import { alertRuleUrl } from '../promql';
import type { SeriesQuery } from '../types';

interface Props {
  datasource: VigilDataSource;
  query: SeriesQuery;
}

/**
 * "Create alert rule": Grafana alerts only on backend data sources, so the rule goes to the Prometheus
 * data source provisioned against Vigil's Prometheus API. The PromQL shown is the rule's own query
 * (taken from the rule the button opens, so the two cannot differ).
 */
export function AlertRuleButton({ datasource, query }: Props) {
  const ready = datasource.interpolator().text(query.model) !== '';
  const rule = ready ? datasource.alertRuleFor(query) : undefined;
  const expr = rule ? String(rule.queries[0].model.expr) : '';
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <Button
        icon="bell"
        variant="secondary"
        size="sm"
        disabled={!rule}
        tooltip={rule ? `New Grafana alert rule on data source '${datasource.prometheusUid}' with this query` : 'Choose a model first'}
        onClick={() => rule && locationService.push(alertRuleUrl(rule))}
      >
        Create alert rule
      </Button>
      {rule && (
        <Text variant="code" color="secondary" data-testid="vigil-promql">
          {expr}
        </Text>
      )}
    </Stack>
  );
}
