// Grafana's icons are SVG files Grafana's server serves (react-inlinesvg fetches them at run time); in
// tests there is no Grafana to serve them, so an icon renders as an empty <svg> named after its file.
const React = require('react');

function InlineSVG({ src, innerRef, cacheRequests: _c, preProcessor: _p, uniquifyIDs: _u, loader: _l, ...rest }) {
  const name = String(src ?? '').split('/').pop();
  return React.createElement('svg', { ref: innerRef, 'data-icon': name, ...rest });
}

module.exports = InlineSVG;
module.exports.default = InlineSVG;
