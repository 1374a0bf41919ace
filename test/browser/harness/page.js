// The harness page's HTML: the config is inlined, the bundle is served under /harness/.
function harnessHtml(config) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Vigil plugin harness (dev only)</title>
    <script>window.VIGIL_HARNESS = ${JSON.stringify(config).replace(/</g, '\\u003c')};</script>
  </head>
  <body>
    <div id="root"></div>
    <script src="/harness/harness.js"></script>
  </body>
</html>
`;
}

module.exports = { harnessHtml };
