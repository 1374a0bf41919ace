// Dependencies of @grafana/* that ship only ES modules (or .mjs files jest must transform). Everything
// else in node_modules is left alone, which keeps the plugin tests fast.
const ESM_ONLY = [
  'ol',
  'react-colorful',
  'react-calendar',
  '@wojtekmaj/date-utils',
  'get-user-locale',
  'memoize',
  'mimic-function',
  'd3-[a-z-]+',
  '@grafana/react-data-grid',
  'marked',
  'earcut',
  'pbf',
  'quickselect',
  'rbush',
  'uwrap',
  // @grafana/plugin-ui's CommonJS build requires these, which ship ES modules only
  'uuid',
  '@marcbachmann/cel-js',
];

module.exports = {
  ESM_ONLY,
  transformIgnorePattern: `node_modules/(?!(${ESM_ONLY.join('|')})/)`,
};
