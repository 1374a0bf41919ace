/** docs/prometheus.md names series as the catalog does (the catalog is the one source; this keeps the docs true). */
import fs from 'fs';
import path from 'path';
import { FAMILIES, metricsOfFamily, PROMETHEUS_SUFFIXES } from '../../backend/engine/catalog';
import { alertRules } from '../provisioning/provisioning-files';

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'prometheus.md'), 'utf8');

it('lists every family with its series name and labels', () => {
  for (const f of FAMILIES) {
    const labels = ['`model`', ...(f.perColumn ? ['`column`'] : []), `\`${f.prometheusMetricLabel}\``].join(', ');
    expect(doc).toContain(`| \`${f.prometheusName}\` | ${f.label} | ${labels} |`);
  }
  // A metric with a name of its own (one unit per name) has a row of its own, without `column`.
  const own = FAMILIES.flatMap((f) => metricsOfFamily(f.id).filter((m) => m.prometheusName).map((m) => ({ f, m })));
  for (const { f, m } of own) {
    expect(doc).toContain(`| \`${m.prometheusName}\` | ${f.label}, ${m.label.toLowerCase()} | \`model\`, \`${f.prometheusMetricLabel}\` |`);
  }
  const names = new Set([...FAMILIES.map((f) => f.prometheusName), ...own.map(({ m }) => m.prometheusName)]);
  const rows = doc.split('\n').filter((l) => /^\| `vigil_[a-z_]+` \| [A-Z][a-z]+/.test(l) && !/\| (gauge|counter|histogram)/.test(l));
  for (const r of rows) expect(names.has(r.split('`')[1])).toBe(true);
  expect(rows).toHaveLength(names.size);
});

it('lists every companion suffix', () => {
  for (const [field, suffix] of Object.entries(PROMETHEUS_SUFFIXES)) expect(doc).toContain(`| ${field} | ${suffix ? `\`${suffix}\`` : '(none)'} |`);
});

it('quotes the provisioned alert expressions', () => {
  for (const r of alertRules()) expect(doc).toContain(`| ${r.title} | \`${r.data.find((q) => q.refId === 'A')!.model.expr}\` |`);
});
