// Dependencies of @grafana/* that ship only ES modules (or .mjs files jest must transform). Everything
// else in node_modules is left alone, which keeps the plugin tests fast.
const ESM_ONLY = ['ol', 'react-colorful', 'd3-[a-z-]+', 'internmap', 'delaunator', 'robust-predicates', 'marked', 'uuid'];

module.exports = {
  ESM_ONLY,
  transformIgnorePattern: `node_modules/(?!(${ESM_ONLY.join('|')})/)`,
};
