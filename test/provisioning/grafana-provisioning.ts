/**
 * Reads a provisioning tree the way Grafana 12.3+/13 does at start-up, without a Grafana (none can run
 * here), and reports what Grafana would reject or do differently from what the files mean. The rules
 * are Grafana's own, read from its source (grafana/grafana, paths below; docs/grafana-plugin.md
 * "Provisioning" lists them):
 *
 * - order (pkg/services/provisioning/provisioning.go): RunInitProvisioners = data sources, plugins,
 *   alerting; dashboards come after, in Run. Inside alerting (alerting/provisioner.go), contact points
 *   are provisioned before rules, policies replace the org's whole tree;
 * - files: data sources and dashboard providers read `*.yaml`/`*.yml` of their directory; the alerting
 *   reader refuses any other entry (alerting/config_reader.go: "file has invalid suffix");
 * - rule groups (alerting/rules_types.go AlertRuleGroupV1.MapToModel, AlertRuleV1.mapToModel): the
 *   keys orgId, name, folder, interval, rules only (no folder UID: the file export's FolderUID is
 *   `yaml:"-"`, ngalert/api/tooling/definitions/provisioning_alert_rules.go); name,
 *   folder, interval (Prometheus duration), rule title, uid, data and condition required; `for`,
 *   `keepFiringFor` durations; noDataState / execErrState enums (ngalert/models/alert_rule.go);
 *   notification_settings (NotificationSettingsV1.mapToModel, ngalert/models/notifications.go
 *   ContactPointRouting.Validate): receiver required, durations, group_interval/repeat_interval > 0, no
 *   duplicate group_by; the receiver must exist (rules_provisioner.go pauses a rule whose receiver is
 *   missing and renames it "... (Provisioning Failed)");
 * - folders: a rule group's `folder` is a title path (SplitFullpath on "/"): found by title under its
 *   parent, else created with a generated UID (rules_provisioner.go getOrCreateFolderByTitle). A
 *   dashboard provider's folder is found by `folderUid` when it has one, else by title, and created
 *   with `folderUid` (or a generated UID) when not found (dashboards/file_reader.go getOrCreateFolder);
 * - UIDs (pkg/util/shortid_generator.go): `^[a-zA-Z0-9\-_]*$`, at most 40 characters;
 * - dashboards (dashboards/file_reader.go, validator.go): `*.json` under the provider's path, a title
 *   each, UIDs unique across providers.
 *
 * Reference checks that Grafana makes later (when a rule is evaluated or a panel loads) are made here
 * too: every data source uid a rule or dashboard names is provisioned.
 */
import fs from 'fs';
import path from 'path';
import YAML from 'yaml';

export interface Problem {
  code: string;
  where: string;
  message: string;
}

export interface Folder {
  uid: string;
  title: string;
  parentUid: string | null;
  createdBy: 'alerting' | 'dashboards';
}

export interface ProvisioningTree {
  /** The provisioning directory (holding datasources/, alerting/, dashboards/). */
  root: string;
  /** Container path of a dashboard provider → directory in the repository (docker-compose volumes). */
  mounts: Record<string, string>;
}

/** Expression data source: `__expr__`, or its legacy `-100` (ngalert/models expr.DatasourceUID). */
const EXPRESSION_UIDS = new Set(['__expr__', '-100']);
const GRAFANA_BUILTIN_UIDS = new Set(['-- Grafana --', 'grafana']);
const NO_DATA_STATES = new Set(['Alerting', 'NoData', 'OK', 'KeepLast']);
const EXEC_ERR_STATES = new Set(['Alerting', 'Error', 'OK', 'KeepLast']);
const UID_PATTERN = /^[a-zA-Z0-9\-_]*$/;
const GROUP_FIELDS = new Set(['orgId', 'name', 'folder', 'interval', 'rules']);
const MAX_UID_LENGTH = 40;
/** Prometheus's model.ParseDuration (units in decreasing order, each at most once; "0" alone). */
const DURATION = /^(?:0|(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?)$/;

export function parseDurationMs(s: unknown): number | null {
  if (typeof s !== 'string' || s === '' || !DURATION.test(s)) return null;
  const unit: Record<string, number> = { y: 31536e6, w: 6048e5, d: 864e5, h: 36e5, m: 6e4, s: 1e3, ms: 1 };
  let ms = 0;
  for (const [, n, u] of s.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) ms += Number(n) * unit[u];
  return ms;
}

const isYaml = (f: string) => f.endsWith('.yaml') || f.endsWith('.yml');

function readDir(dir: string): fs.Dirent[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)) : [];
}

function loadYaml(file: string): any {
  return YAML.parse(fs.readFileSync(file, 'utf8')) ?? {};
}

/** Grafana's folderimpl.SplitFullpath: "/" separates titles, "\/" is a slash inside a title. */
export function splitFullpath(fullpath: string): string[] {
  return fullpath
    .split(/(?<!\\)\//)
    .map((t) => t.replaceAll('\\/', '/').trim())
    .filter((t) => t !== '');
}

export interface Reading {
  problems: Problem[];
  datasourceUids: Set<string>;
  contactPoints: Set<string>;
  groups: { file: string; name: string; folder: string; rules: any[] }[];
  providers: { file: string; name: string; folder: string; folderUid: string; path: string; foldersFromFilesStructure: boolean }[];
  policyFiles: string[];
}

/** Reads and validates every file Grafana would read; folder creation is simulated by `startGrafana`. */
export function readProvisioning(tree: ProvisioningTree): Reading {
  const problems: Problem[] = [];
  const report = (code: string, where: string, message: string) => problems.push({ code, where, message });
  const reading: Reading = { problems, datasourceUids: new Set(), contactPoints: new Set(), groups: [], providers: [], policyFiles: [] };

  // Data sources.
  const defaults = new Map<number, string[]>();
  for (const e of readDir(path.join(tree.root, 'datasources'))) {
    if (!e.isFile() || !isYaml(e.name)) continue;
    const where = `datasources/${e.name}`;
    for (const ds of loadYaml(path.join(tree.root, 'datasources', e.name)).datasources ?? []) {
      if (!ds.name) report('datasource-name', where, 'a data source without a name');
      if (ds.uid !== undefined && (!UID_PATTERN.test(ds.uid) || ds.uid.length > MAX_UID_LENGTH)) report('uid', where, `data source uid "${ds.uid}" is not a valid Grafana UID`);
      if (ds.uid && reading.datasourceUids.has(ds.uid)) report('datasource-uid-duplicate', where, `data source uid "${ds.uid}" provisioned twice`);
      if (ds.uid) reading.datasourceUids.add(ds.uid);
      if (ds.isDefault) defaults.set(ds.orgId ?? 1, [...(defaults.get(ds.orgId ?? 1) ?? []), ds.name]);
    }
  }
  for (const [org, names] of defaults) if (names.length > 1) report('datasource-default', 'datasources', `org ${org} has ${names.length} default data sources (${names.join(', ')}); Grafana allows one`);

  // Alerting: every entry must be a YAML or JSON file.
  for (const e of readDir(path.join(tree.root, 'alerting'))) {
    const where = `alerting/${e.name}`;
    if (!e.isFile() || !(isYaml(e.name) || e.name.endsWith('.json'))) {
      report('alerting-file-suffix', where, `file has invalid suffix '${e.name}' (.yaml,.yml,.json accepted)`);
      continue;
    }
    const doc = e.name.endsWith('.json') ? JSON.parse(fs.readFileSync(path.join(tree.root, 'alerting', e.name), 'utf8')) : loadYaml(path.join(tree.root, 'alerting', e.name));
    for (const cp of doc.contactPoints ?? []) {
      if (!String(cp.name ?? '').trim()) report('contact-point-name', where, 'a contact point without a name');
      for (const r of cp.receivers ?? []) {
        if (!String(r.uid ?? '').trim()) report('contact-point-uid', where, `a receiver of "${cp.name}" has no uid`);
        else if (!UID_PATTERN.test(r.uid) || r.uid.length > MAX_UID_LENGTH) report('uid', where, `receiver uid "${r.uid}" is not a valid Grafana UID`);
        if (!r.type) report('contact-point-type', where, `a receiver of "${cp.name}" has no type`);
      }
      reading.contactPoints.add(cp.name);
    }
    if ((doc.policies ?? []).length > 0 || (doc.resetPolicies ?? []).length > 0) reading.policyFiles.push(where);
    for (const g of doc.groups ?? []) {
      const gwhere = `${where} group "${g.name ?? ''}"`;
      if (!String(g.name ?? '').trim()) report('group-name', gwhere, 'rule group has no name set');
      if (!String(g.folder ?? '').trim()) report('group-folder', gwhere, 'rule group has no folder set');
      if (parseDurationMs(g.interval) === null) report('group-interval', gwhere, `interval "${g.interval}" is not a Prometheus duration`);
      // AlertRuleGroupV1 reads these keys only: a `folderUid` here is ignored (the folder is a title).
      for (const k of Object.keys(g)) if (!GROUP_FIELDS.has(k)) report('unknown-field', gwhere, `"${k}" is not a field of a rule group; Grafana ignores it`);
      reading.groups.push({ file: where, name: g.name, folder: String(g.folder ?? ''), rules: g.rules ?? [] });
    }
  }

  // Rules, once every contact point is known (contact points are provisioned first).
  const ruleUids = new Set<string>();
  for (const g of reading.groups) {
    for (const r of g.rules) checkRule(r, `${g.file} rule "${r.uid ?? r.title}"`, reading, ruleUids, report);
  }
  for (const f of reading.policyFiles) report('policy-tree-replaced', f, "a top-level `policies:` replaces the organisation's whole notification policy tree on every start");

  // Dashboard providers.
  for (const e of readDir(path.join(tree.root, 'dashboards'))) {
    if (!e.isFile() || !isYaml(e.name)) continue;
    const where = `dashboards/${e.name}`;
    for (const p of loadYaml(path.join(tree.root, 'dashboards', e.name)).providers ?? []) {
      const folderUid = String(p.folderUid ?? '');
      if (folderUid === 'general') report('folder-uid', where, 'folderUid "general" is refused (ErrFolderInvalidUID)');
      if (folderUid && (!UID_PATTERN.test(folderUid) || folderUid.length > MAX_UID_LENGTH)) report('uid', where, `folderUid "${folderUid}" is not a valid Grafana UID`);
      const p2 = { file: where, name: p.name, folder: String(p.folder ?? ''), folderUid, path: p.options?.path ?? '', foldersFromFilesStructure: !!p.options?.foldersFromFilesStructure };
      if ((p.type ?? 'file') !== 'file') report('provider-type', where, `provider type "${p.type}": only "file" exists`);
      reading.providers.push(p2);
    }
  }
  checkDashboards(tree, reading, report);
  return reading;
}

function checkRule(r: any, where: string, reading: Reading, ruleUids: Set<string>, report: (c: string, w: string, m: string) => void) {
  if (!r.title) report('rule-title', where, 'rule has no title set');
  if (!r.uid) report('rule-uid', where, 'no UID set');
  else if (!UID_PATTERN.test(r.uid) || r.uid.length > MAX_UID_LENGTH) report('uid', where, `rule uid "${r.uid}" is not a valid Grafana UID`);
  else if (ruleUids.has(r.uid)) report('rule-uid-duplicate', where, `rule uid "${r.uid}" used twice`);
  ruleUids.add(r.uid);
  for (const f of ['for', 'keepFiringFor']) if (r[f] !== undefined && r[f] !== '' && parseDurationMs(r[f]) === null) report('rule-duration', where, `'${f}' "${r[f]}" is not a Prometheus duration`);
  if (r.noDataState !== undefined && !NO_DATA_STATES.has(String(r.noDataState).trim())) report('rule-state', where, `noDataState "${r.noDataState}"`);
  if (r.execErrState !== undefined && !EXEC_ERR_STATES.has(String(r.execErrState).trim())) report('rule-state', where, `execErrState "${r.execErrState}"`);
  const data: any[] = r.data ?? [];
  if (data.length === 0) report('rule-data', where, 'no data set');
  if (!r.condition && !r.record) report('rule-condition', where, 'no condition set');
  const refIds = data.map((q) => q.refId);
  if (r.condition && !refIds.includes(r.condition)) report('rule-condition', where, `condition "${r.condition}" is no refId of the rule (${refIds.join(', ')})`);
  for (const q of data) {
    if (EXPRESSION_UIDS.has(q.datasourceUid)) continue;
    if (!reading.datasourceUids.has(q.datasourceUid)) report('datasource-ref', where, `query ${q.refId} reads data source uid "${q.datasourceUid}", which is not provisioned`);
  }
  const ns = r.notification_settings;
  if (ns === undefined) return;
  if (!ns || !String(ns.receiver ?? '').trim()) return report('notification-settings', where, 'receiver must not be empty');
  for (const f of ['group_wait', 'group_interval', 'repeat_interval']) {
    if (ns[f] === undefined || ns[f] === '') continue;
    const ms = parseDurationMs(ns[f]);
    if (ms === null) report('notification-settings', where, `failed to parse ${f.replace('_', ' ')} "${ns[f]}"`);
    else if (f !== 'group_wait' && ms <= 0) report('notification-settings', where, `${f.replace('_', ' ')} must be greater than zero`);
  }
  const groupBy: string[] = ns.group_by ?? [];
  if (new Set(groupBy).size !== groupBy.length) report('notification-settings', where, 'duplicate value in group_by');
  const known = new Set(['receiver', 'group_by', 'group_wait', 'group_interval', 'repeat_interval', 'mute_time_intervals', 'active_time_intervals']);
  for (const k of Object.keys(ns)) if (!known.has(k)) report('notification-settings', where, `unknown field "${k}" (Grafana ignores it)`);
  if (!reading.contactPoints.has(ns.receiver)) report('receiver-missing', where, `receiver "${ns.receiver}" is no provisioned contact point: Grafana pauses the rule ("(Provisioning Failed)")`);
}

function checkDashboards(tree: ProvisioningTree, reading: Reading, report: (c: string, w: string, m: string) => void) {
  const uids = new Map<string, string>();
  for (const p of reading.providers) {
    const dir = tree.mounts[p.path];
    if (dir === undefined || !fs.existsSync(dir)) {
      report('provider-path', p.file, `provider "${p.name}" reads ${p.path}, which no volume provides`);
      continue;
    }
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
      const where = `${p.path}/${f}`;
      const d = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!String(d.title ?? '').trim()) report('dashboard-title', where, 'dashboard title cannot be empty');
      if (d.uid !== undefined) {
        if (!UID_PATTERN.test(d.uid) || d.uid.length > MAX_UID_LENGTH) report('uid', where, `dashboard uid "${d.uid}" is not a valid Grafana UID`);
        if (uids.has(d.uid)) report('dashboard-uid-duplicate', where, `uid "${d.uid}" also in ${uids.get(d.uid)}`);
        uids.set(d.uid, where);
      }
      for (const ref of datasourceRefs(d)) {
        if (typeof ref.uid !== 'string' || ref.uid.startsWith('$') || GRAFANA_BUILTIN_UIDS.has(ref.uid) || EXPRESSION_UIDS.has(ref.uid)) continue;
        if (!reading.datasourceUids.has(ref.uid)) report('datasource-ref', where, `names data source uid "${ref.uid}", which is not provisioned`);
      }
    }
  }
}

function datasourceRefs(node: unknown): { uid?: unknown }[] {
  if (Array.isArray(node)) return node.flatMap(datasourceRefs);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === 'datasource' && v && typeof v === 'object' ? [v as { uid?: unknown }] : datasourceRefs(v)));
}

/**
 * One Grafana start over a folder store (empty on a first start, the previous start's on a restart):
 * alerting's folders, then the dashboard providers'. Returns problems about folders; `folders` is
 * updated in place.
 */
export function startGrafana(reading: Reading, folders: Folder[], newUid: () => string): Problem[] {
  const problems: Problem[] = [];
  const byTitle = (title: string, parentUid: string | null) => folders.find((f) => f.title === title && f.parentUid === parentUid);
  for (const g of reading.groups) {
    let parent: string | null = null;
    for (const title of splitFullpath(g.folder)) {
      let f = byTitle(title, parent);
      if (!f) folders.push((f = { uid: newUid(), title, parentUid: parent, createdBy: 'alerting' }));
      parent = f.uid;
    }
  }
  for (const p of reading.providers) {
    if (p.foldersFromFilesStructure || p.folder === '') continue;
    const found = p.folderUid ? folders.find((f) => f.uid === p.folderUid) : byTitle(p.folder, null);
    if (found) {
      if (found.title !== p.folder) problems.push({ code: 'folder-title', where: p.file, message: `folderUid "${p.folderUid}" is folder "${found.title}", not "${p.folder}"` });
      continue;
    }
    const twin = byTitle(p.folder, null);
    if (twin) {
      // Grafana < 11 refuses ("a folder with the same name already exists"); later versions create a second one.
      problems.push({ code: 'duplicate-folder', where: p.file, message: `provider "${p.name}" looks folder "${p.folder}" up by uid "${p.folderUid}", misses the "${p.folder}" (uid ${twin.uid}) that ${twin.createdBy} created, and creates a second "${p.folder}"` });
    }
    folders.push({ uid: p.folderUid || newUid(), title: p.folder, parentUid: null, createdBy: 'dashboards' });
  }
  return problems;
}
