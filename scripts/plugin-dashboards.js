// The dashboards the plugin ships (plugin.json `includes`, imported from the data source's Dashboards tab)
// are made at build time from the provisioned ones in dashboards/, so the two can never drift apart.
//
// A provisioned dashboard names its data sources by the uids provisioning/datasources gives them. A
// bundled one cannot: the user's data sources have other uids. So, in the bundled copy,
// - every reference to the Vigil plugin becomes the import input `${DS_VIGIL}` (`__inputs`), which
//   Grafana fills with the data source the dashboard is imported from (or the one the user picks in
//   Dashboards > Import);
// - every reference to the Prometheus data source pointed at Vigil's /prometheus API becomes the
//   data-source variable `${vigil_prometheus}`, a drop-down of the instance's Prometheus data sources
//   whose default is the provisioned uid. A variable rather than a second import input: Grafana's
//   Dashboards-tab import sends one wildcard data-source input, which would put the Vigil data source
//   into every input, Prometheus panels included;
// - `__requires` lists what the dashboard needs (Grafana version, data sources, panel types), as
//   Grafana's own export does.
// Uids are kept: the overview links to the detail dashboard by uid.

const BUILT_IN_UIDS = new Set(['-- Grafana --', '-- Mixed --', '-- Dashboard --', '__expr__', 'grafana']);
const PLUGIN_INPUT = 'DS_VIGIL';
const PROMETHEUS_VARIABLE = 'vigil_prometheus';

function isBuiltIn(ref) {
  return BUILT_IN_UIDS.has(ref.uid) || ref.type === 'grafana' || ref.type === '__expr__' || ref.type === 'datasource';
}

/** Every `datasource` reference in the dashboard, with where it sits (for errors). */
function dataSourceRefs(node, where = '', out = []) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => dataSourceRefs(item, `${where}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'datasource' && value !== null && value !== undefined) out.push({ holder: node, ref: value, where: `${where}.${key}` });
      else dataSourceRefs(value, `${where}.${key}`, out);
    }
  }
  return out;
}

/** The minimum Grafana version of a `>=x.y.z` grafanaDependency (what `__requires` states). */
function minimumGrafana(grafanaDependency) {
  const match = /^>=\s*(\d+\.\d+\.\d+)/.exec(grafanaDependency ?? '');
  if (!match) throw new Error(`plugin.json dependencies.grafanaDependency '${grafanaDependency}' is not of the form >=x.y.z`);
  return match[1];
}

/**
 * The bundled copy of a provisioned dashboard. `pluginJson` is src/plugin.json (id, name, version,
 * grafanaDependency); `file` names the dashboard in errors.
 */
function toPluginDashboard(dashboard, pluginJson, file = 'dashboard') {
  const copy = structuredClone(dashboard);
  let usesPlugin = false;
  const prometheusUids = new Set();
  for (const { holder, ref, where } of dataSourceRefs(copy)) {
    if (typeof ref !== 'object' || typeof ref.uid !== 'string') {
      throw new Error(`${file}${where}: a data source reference must be {type, uid}, got ${JSON.stringify(ref)}`);
    }
    if (isBuiltIn(ref)) continue;
    if (ref.type === pluginJson.id) {
      usesPlugin = true;
      holder.datasource = { type: ref.type, uid: `\${${PLUGIN_INPUT}}` };
    } else if (ref.type === 'prometheus') {
      prometheusUids.add(ref.uid);
      holder.datasource = { type: ref.type, uid: `\${${PROMETHEUS_VARIABLE}}` };
    } else {
      throw new Error(`${file}${where}: data source type '${ref.type}' is neither the plugin nor Prometheus`);
    }
  }
  if (prometheusUids.size > 1) {
    throw new Error(`${file}: Prometheus data sources ${[...prometheusUids].join(', ')}: a bundled dashboard can map only one`);
  }

  const inputs = usesPlugin
    ? [{ name: PLUGIN_INPUT, label: 'Vigil', description: 'The Vigil ML Monitor data source', type: 'datasource', pluginId: pluginJson.id, pluginName: pluginJson.name }]
    : [];
  const panelTypes = new Set();
  const panels = (list) => list.forEach((p) => (p.type === 'row' ? panels(p.panels ?? []) : panelTypes.add(p.type)));
  panels(copy.panels ?? []);
  const requires = [
    { type: 'grafana', id: 'grafana', name: 'Grafana', version: minimumGrafana(pluginJson.dependencies?.grafanaDependency) },
    ...(usesPlugin ? [{ type: 'datasource', id: pluginJson.id, name: pluginJson.name, version: pluginJson.info.version }] : []),
    ...(prometheusUids.size ? [{ type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' }] : []),
    ...[...panelTypes].sort().map((id) => ({ type: 'panel', id, name: id, version: '' })),
  ];

  if (prometheusUids.size) {
    const [uid] = prometheusUids;
    const variable = {
      type: 'datasource',
      name: PROMETHEUS_VARIABLE,
      label: "Vigil's Prometheus API",
      description: "The Prometheus data source pointed at Vigil's /prometheus API",
      query: 'prometheus',
      regex: '',
      refresh: 1,
      hide: 0,
      multi: false,
      includeAll: false,
      current: { text: uid, value: uid },
      options: [],
    };
    copy.templating = { ...(copy.templating ?? {}), list: [variable, ...(copy.templating?.list ?? [])] };
  }
  return { __inputs: inputs, __requires: requires, ...copy };
}

module.exports = { toPluginDashboard, dataSourceRefs, PLUGIN_INPUT, PROMETHEUS_VARIABLE };
