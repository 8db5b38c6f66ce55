/**
 * webpack configuration of the test JupyterLab application: @jupyterlab/builder's base rules
 * (CSS, SVG as source, fonts, `fullySpecified: false`, the process/path polyfills) plus a module
 * federation host whose share scope provides every dependency and singleton package listed in
 * package.json, so prebuilt (federated) extensions found in `labextensions` folders consume the
 * application's copies, exactly as in a JupyterLab installation.
 */
const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');
const { merge } = require('webpack-merge');
const baseConfig = require('@jupyterlab/builder/lib/webpack.config.base');

const app = require('./package.json');

/** Installed version of a package (anywidget's exports map hides its package.json from require). */
function installedVersion(name) {
  const file = path.join(
    path.dirname(require.resolve('@jupyterlab/application/package.json')),
    '..',
    '..',
    name,
    'package.json',
  );
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

function sharedScope() {
  const singletons = new Set(app.jupyterlab.singletonPackages);
  const names = new Set([...Object.keys(app.dependencies), ...singletons]);
  const shared = {};
  for (const name of names) {
    const version = installedVersion(name);
    shared[name] = {
      singleton: singletons.has(name),
      version,
      requiredVersion: app.dependencies[name] ?? `^${version}`,
    };
  }
  return shared;
}

/** @param {{ output: string }} env */
module.exports = (env) =>
  merge(baseConfig, {
    mode: 'production',
    devtool: false,
    entry: { main: path.join(__dirname, 'src', 'index.js') },
    output: {
      path: env.output,
      filename: '[name].js',
      chunkFilename: '[name].[contenthash].js',
      publicPath: 'auto',
    },
    // Minifying ~20 MB of JupyterLab on two shared cores costs minutes and buys nothing on localhost.
    optimization: { minimize: false },
    performance: { hints: false },
    resolve: {
      alias: { 'rlrp-lab-style$': path.join(env.output, 'style.js') },
      // The generated style.js lives in the output folder, which may be outside the repository.
      modules: ['node_modules', path.resolve(__dirname, '..', '..', '..', '..', 'node_modules')],
    },
    plugins: [
      new webpack.DefinePlugin({
        RLRP_ANYWIDGET_VERSION: JSON.stringify(installedVersion('anywidget')),
        RLRP_EXTENSIONS: JSON.stringify(app.jupyterlab.extensions),
      }),
      new webpack.container.ModuleFederationPlugin({
        name: 'rlrp_test_jupyterlab',
        shared: sharedScope(),
      }),
    ],
  });
