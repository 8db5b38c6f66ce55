import { spawn } from 'child_process';
import { staticHtmlExport, staticHtmlExportOfParent } from '../src/kernel/static-export';

describe('staticHtmlExport: which launching commands are static HTML exports', () => {
  test.each([
    [['/usr/bin/python3', '/usr/bin/jupyter-nbconvert', '--execute', '--to', 'html', 'a.ipynb']],
    [['python3', '/usr/local/bin/jupyter-nbconvert', '--to=html', '--execute', 'a.ipynb']],
    // `jupyter nbconvert` execs jupyter-nbconvert (jupyter_core), so that is what /proc shows
    [
      [
        'python3',
        '/usr/bin/jupyter-nbconvert',
        '--NbConvertApp.export_format',
        'slides',
        'x.ipynb',
      ],
    ],
    [['python3', '-m', 'nbconvert', '--execute', '--to', 'WebPDF', 'a.ipynb']],
    [['python3', '/usr/bin/jupyter-nbconvert', '--NbConvertApp.export_format=html', 'a.ipynb']],
    [['python3', '/usr/bin/jupyter-dejavu', 'a.ipynb']],
    [['python3', '/usr/bin/jupyter-nbconvert', '--to', 'qtpng', 'a.ipynb']],
    // the last --to wins, as in traitlets
    [['python3', '/usr/bin/jupyter-nbconvert', '--to', 'notebook', '--to', 'html', 'a.ipynb']],
  ])('%j is one', (argv) => {
    expect(staticHtmlExport(argv)).toMatch(/^jupyter nbconvert --to (html|slides|webpdf|qtpng)$/);
  });

  test.each([
    // exports that keep the widget view and its state
    [['python3', '/usr/bin/jupyter-nbconvert', '--to', 'notebook', '--execute', 'a.ipynb']],
    [['python3', '/usr/bin/jupyter-nbconvert', '--execute', '--inplace', 'a.ipynb']],
    [['python3', '/usr/bin/jupyter-nbconvert', '--to', 'html', '--inplace', 'a.ipynb']],
    [['python3', '/usr/bin/jupyter-nbconvert', '--to', 'pdf', 'a.ipynb']],
    // no format given: nbconvert itself refuses to run
    [['python3', '/usr/bin/jupyter-nbconvert', '--execute', 'a.ipynb']],
    // live front ends and other launchers
    [['/usr/bin/python3', '/usr/bin/jupyter-notebook', '--no-browser']],
    [['/usr/bin/python3', '-m', 'jupyter_server', '--to', 'html']],
    [['node', 'my-script.js', 'jupyter-nbconvert-like', '--to', 'html']],
    // nbconvert named later, as an argument of another command
    [['node', 'runner.js', 'x', '/usr/bin/jupyter-nbconvert', '--to', 'html']],
    [['python3', 'runner.py', 'x', '-m', 'nbconvert', '--to', 'html']],
    [[]],
  ])('%j is not', (argv) => {
    expect(staticHtmlExport(argv)).toBeUndefined();
  });
});

describe('staticHtmlExportOfParent: reads the launching process named by JPY_PARENT_PID', () => {
  test('no JPY_PARENT_PID, or not a process id: not an export', () => {
    expect(staticHtmlExportOfParent({})).toBeUndefined();
    expect(staticHtmlExportOfParent({ JPY_PARENT_PID: '../self' })).toBeUndefined();
    expect(staticHtmlExportOfParent({ JPY_PARENT_PID: '0' })).toBeUndefined();
  });

  test('a gone process: not an export', () => {
    expect(staticHtmlExportOfParent({ JPY_PARENT_PID: '999999999' })).toBeUndefined();
  });

  test('a live process whose command line is an HTML export is recognised', async () => {
    // A process that shows nbconvert's command line (argv[0] set by `exec -a`) and stays alive.
    const child = spawn(
      'bash',
      [
        '-c',
        "exec -a /usr/bin/jupyter-nbconvert /usr/bin/python3 -c 'import time; time.sleep(30)' --to html",
      ],
      { stdio: 'ignore' },
    );
    try {
      // Until bash has replaced itself, the command line is bash's: poll briefly.
      let found: string | undefined;
      for (let attempt = 0; attempt < 250 && found === undefined; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        found = staticHtmlExportOfParent({ JPY_PARENT_PID: String(child.pid) });
      }
      expect(found).toBe('jupyter nbconvert --to html');
    } finally {
      child.kill();
    }
  });
});
