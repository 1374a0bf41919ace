/** docs/prometheus.md names series as the catalog does (the catalog is the one source; this keeps the docs true). */
import fs from 'fs';
import path from 'path';
import { FAMILIES, PROMETHEUS_SUFFIXES } from '../../backend/engine/catalog';
import { alertRules } from '../provisioning/provisioning-files';

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'prometheus.md'), 'utf8');

it('lists every family with its series name and labels', () => {
  for (const f of FAMILIES) {
    const labels = ['`model`', ...(f.perColumn ? ['`column`'] : []), `\`${f.prometheusMetricLabel}\``].join(', ');
    expect(doc).toContain(`| \`${f.prometheusName}\` | ${f.label} | ${labels} |`);
  }
  const familyNames = new Set(FAMILIES.map((f) => f.prometheusName));
  const rows = doc.split('\n').filter((l) => /^\| `vigil_[a-z_]+` \| [A-Z][a-z]+ /.test(l) && !/\| (gauge|counter|histogram)/.test(l));
  for (const r of rows) expect(familyNames.has(r.split('`')[1])).toBe(true);
  expect(rows).toHaveLength(FAMILIES.length);
});

it('lists every companion suffix', () => {
  for (const [field, suffix] of Object.entries(PROMETHEUS_SUFFIXES)) expect(doc).toContain(`| ${field} | ${suffix ? `\`${suffix}\`` : '(none)'} |`);
});

it('quotes the provisioned alert expressions', () => {
  for (const r of alertRules()) expect(doc).toContain(`| ${r.title} | \`${r.data.find((q) => q.refId === 'A')!.model.expr}\` |`);
});
