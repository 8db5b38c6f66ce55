// Entry of the test JupyterLab application. Everything that consumes shared modules loads
// asynchronously (bootstrap.js), after webpack has set up the share scope: module federation
// cannot hand out shared modules to eagerly loaded code.
import('./bootstrap').catch((error) => {
  console.error('JupyterLab failed to start', error);
});
