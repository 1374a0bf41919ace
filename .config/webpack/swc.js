// swc-loader options shared by the plugin build and the dev harness.
module.exports = (target = 'es2020') => ({
  loader: 'swc-loader',
  options: {
    jsc: {
      target,
      parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
      transform: { react: { runtime: 'automatic' } },
    },
  },
});
