/**
 * provisioning/ and dashboards/ read as Grafana 12.3+/13 reads them (grafana-provisioning.ts, rules from
 * Grafana's source): no field Grafana would refuse, every UID reference resolved, one "Vigil" folder on
 * a first start and on every restart, rules routed by notification_settings and no policy tree replaced.
 * The same reading of the files as they were before issue 14 (fixtures/before-issue-14) must report the
 * folder clash and the policy overwrite: the negative case that shows the checks can fail.
 */
import fs from 'fs';
import path from 'path';
import { Folder, readProvisioning, Reading, startGrafana } from './grafana-provisioning';
import { readYaml, rel } from './provisioning-files';

/** Container path → repository directory, from the Grafana service's volumes in docker-compose.yml. */
function composeMounts(): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const v of readYaml('docker-compose.yml').services.grafana.volumes as string[]) {
    const [host, container] = v.split(':');
    mounts[container] = rel(host);
  }
  return mounts;
}

/** The provisioning directory Grafana sees: each mounted /etc/grafana/provisioning/<kind>. */
function mountedProvisioningRoot(): string {
  const mounts = composeMounts();
  const roots = new Set(Object.entries(mounts).filter(([c]) => c.startsWith('/etc/grafana/provisioning/')).map(([, h]) => path.dirname(h)));
  expect([...roots]).toEqual([rel('provisioning')]);
  return rel('provisioning');
}

function uids() {
  let n = 0;
  return () => `gen${++n}`;
}

/** Starts Grafana `starts` times over one folder store; problems of every start. */
function startRepeatedly(reading: Reading, starts: number) {
  const folders: Folder[] = [];
  const newUid = uids();
  const problems = [];
  const counts: number[] = [];
  for (let i = 0; i < starts; i++) {
    problems.push(...startGrafana(reading, folders, newUid));
    counts.push(folders.length);
  }
  return { folders, problems, counts };
}

describe('the shipped provisioning, read as Grafana reads it', () => {
  const reading = readProvisioning({ root: mountedProvisioningRoot(), mounts: composeMounts() });

  it('has no field Grafana refuses and no dangling reference', () => {
    expect(reading.problems).toEqual([]);
    expect(reading.groups.flatMap((g) => g.rules)).toHaveLength(9);
    expect(reading.providers).toHaveLength(1);
  });

  it('puts rules and dashboards in one "Vigil" folder on the first start and keeps it on restarts', () => {
    const { folders, problems, counts } = startRepeatedly(reading, 3);
    expect(problems).toEqual([]);
    expect(counts).toEqual([1, 1, 1]);
    expect(folders).toEqual([{ uid: 'gen1', title: 'Vigil', parentUid: null, createdBy: 'alerting' }]);
  });

  it('routes every rule to the Vigil contact point with notification_settings and leaves the policy tree alone', () => {
    expect(reading.policyFiles).toEqual([]);
    for (const r of reading.groups.flatMap((g) => g.rules)) {
      expect({ uid: r.uid, receiver: r.notification_settings?.receiver }).toEqual({ uid: r.uid, receiver: 'vigil-webhook' });
      // Grafana puts grafana_folder and alertname first when it normalises group_by; name them so every
      // version groups alike.
      expect(r.notification_settings.group_by.slice(0, 2)).toEqual(['grafana_folder', 'alertname']);
    }
  });

  it('chooses noDataState per rule, with the reason next to it', () => {
    const text = fs.readFileSync(rel('provisioning/alerting/vigil.yaml'), 'utf8').split('\n');
    const states = text.flatMap((line, i) => (/^\s+noDataState:/.test(line) ? [{ state: line.trim(), reason: text[i - 1].trim() }] : []));
    expect(states).toHaveLength(9);
    for (const s of states) expect(s.reason).toMatch(new RegExp(`^# ${s.state.split(': ')[1]}: .{20,}`));
    expect(new Set(states.map((s) => s.state))).toEqual(new Set(['noDataState: OK', 'noDataState: NoData']));
  });

  it('keeps the notification policy example where Grafana never reads it', () => {
    const example = 'provisioning/examples/notification-policy.yaml';
    expect(readYaml(example).policies[0].receiver).toBe('vigil-webhook');
    const mounted = Object.values(composeMounts());
    expect(mounted.some((h) => rel(example).startsWith(h + path.sep))).toBe(false);
    // Grafana's provisioners read only their own directories.
    expect(['datasources', 'alerting', 'dashboards', 'plugins', 'access-control']).not.toContain('examples');
  });
});

describe('the provisioning before issue 14 (negative case)', () => {
  const fixture = path.join(__dirname, 'fixtures', 'before-issue-14');
  const reading = readProvisioning({ root: fixture, mounts: { '/var/lib/grafana/dashboards/vigil': rel('dashboards') } });

  it('is reported for replacing the policy tree', () => {
    expect(reading.problems.map((p) => p.code)).toEqual(['policy-tree-replaced']);
  });

  it('is reported for a second "Vigil" folder on the first start, and keeps two afterwards', () => {
    const { folders, problems, counts } = startRepeatedly(reading, 2);
    expect(problems.map((p) => p.code)).toEqual(['duplicate-folder']);
    expect(problems[0].message).toContain('creates a second "Vigil"');
    expect(counts).toEqual([2, 2]);
    expect(folders.map((f) => [f.title, f.createdBy])).toEqual([
      ['Vigil', 'alerting'],
      ['Vigil', 'dashboards'],
    ]);
  });
});

describe('field rules (each on a copy of the shipped files with one fault)', () => {
  const broken = (mutate: (alerting: any, dashboards: any) => void) => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'vigil-gprov-'));
    try {
      for (const kind of ['datasources', 'alerting', 'dashboards']) fs.mkdirSync(path.join(dir, kind));
      fs.copyFileSync(rel('provisioning/datasources/vigil.yaml'), path.join(dir, 'datasources/vigil.yaml'));
      const alerting = readYaml('provisioning/alerting/vigil.yaml');
      const dashboards = readYaml('provisioning/dashboards/vigil.yaml');
      mutate(alerting, dashboards);
      fs.writeFileSync(path.join(dir, 'alerting/vigil.yaml'), JSON.stringify(alerting));
      fs.writeFileSync(path.join(dir, 'dashboards/vigil.yaml'), JSON.stringify(dashboards));
      return readProvisioning({ root: dir, mounts: composeMounts() }).problems.map((p) => p.code);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const rule = (a: any) => a.groups[0].rules[0];

  it.each<[string, (a: any, d: any) => void, string]>([
    ['receiver that is no contact point', (a) => (rule(a).notification_settings.receiver = 'pager'), 'receiver-missing'],
    ['empty receiver', (a) => (rule(a).notification_settings = { group_by: ['alertname'] }), 'notification-settings'],
    ['repeat_interval 0', (a) => (rule(a).notification_settings.repeat_interval = '0s'), 'notification-settings'],
    ['duplicate group_by', (a) => (rule(a).notification_settings.group_by = ['alertname', 'alertname']), 'notification-settings'],
    ['unknown data source uid', (a) => (rule(a).data[0].datasourceUid = 'prom'), 'datasource-ref'],
    ['no uid', (a) => delete rule(a).uid, 'rule-uid'],
    ['uid over 40 characters', (a) => (rule(a).uid = 'x'.repeat(41)), 'uid'],
    ['bad noDataState', (a) => (rule(a).noDataState = 'Ok'), 'rule-state'],
    ['condition not a refId', (a) => (rule(a).condition = 'D'), 'rule-condition'],
    ['bad interval', (a) => (a.groups[0].interval = '1 minute'), 'group-interval'],
    ['group without folder', (a) => (a.groups[0].folder = ' '), 'group-folder'],
    ['group folder by uid', (a) => (a.groups[0].folderUid = 'vigil'), 'unknown-field'],
    ['policies', (a) => (a.policies = [{ orgId: 1, receiver: 'vigil-webhook' }]), 'policy-tree-replaced'],
    ['folderUid general', (_a, d) => (d.providers[0].folderUid = 'general'), 'folder-uid'],
  ])('%s', (_name, mutate, code) => {
    expect(broken(mutate)).toContain(code);
  });

  it('refuses a non-YAML entry in the alerting directory, as the alerting reader does', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'vigil-gprov-'));
    try {
      fs.mkdirSync(path.join(dir, 'alerting', 'examples'), { recursive: true });
      expect(readProvisioning({ root: dir, mounts: {} }).problems.map((p) => p.code)).toEqual(['alerting-file-suffix']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
