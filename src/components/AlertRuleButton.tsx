import React from 'react';
import { Button, Stack, Text } from '@grafana/ui';
import { locationService } from '@grafana/runtime';
import type { VigilDataSource } from '../datasource';
import { alertRuleUrl, buildPromQL } from '../promql';
import { interpolateSeriesQuery } from '../request';
import type { SeriesQuery } from '../types';

interface Props {
  datasource: VigilDataSource;
  query: SeriesQuery;
}

/**
 * "Create alert rule": Grafana alerts only on backend data sources, so the rule goes to the Prometheus
 * data source provisioned against Vigil's Prometheus API, with the PromQL equivalent of this query.
 */
export function AlertRuleButton({ datasource, query }: Props) {
  const resolved = interpolateSeriesQuery(query, datasource.interpolator());
  const ready = resolved.model !== '';
  const promql = ready ? buildPromQL(resolved) : '';
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <Button
        icon="bell"
        variant="secondary"
        size="sm"
        disabled={!ready}
        tooltip={ready ? `New Grafana alert rule on data source '${datasource.prometheusUid}'` : 'Choose a model first'}
        onClick={() => locationService.push(alertRuleUrl(datasource.alertRuleFor(query)))}
      >
        Create alert rule
      </Button>
      {ready && (
        <Text variant="code" color="secondary" data-testid="vigil-promql">
          {promql}
        </Text>
      )}
    </Stack>
  );
}
