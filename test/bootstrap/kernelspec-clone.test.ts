/**
 * `npm start` says which clone the per-user tslab-widgets kernelspec runs: parsing Jupyter's
 * listing, the message for each case, and the listing of a real Jupyter.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  describeKernelspecClone,
  findKernelspecClone,
  parseKernelspecListing,
} from '../../src/bootstrap/kernelspec-clone';

const HERE = path.resolve(__dirname, '..', '..');
const OTHER = '/srv/other-clone';

function listing(
  launcher: string,
  resourceDir = '/home/u/.local/share/jupyter/kernels/tslab-widgets',
) {
  return JSON.stringify({
    kernelspecs: {
      python3: { resource_dir: '/usr/share/jupyter/kernels/python3', spec: { argv: ['python3'] } },
      'tslab-widgets': {
        resource_dir: resourceDir,
        spec: {
          argv: ['/usr/bin/node', launcher, 'kernel', '--connection-file', '{connection_file}'],
        },
      },
    },
  });
}

const launcherOf = (clone: string) =>
  path.join(clone, 'packages', 'tslab-widgets', 'bin', 'tslab-widgets.js');

describe('parseKernelspecListing', () => {
  it('finds the clone from the launcher path in kernel.json', () => {
    expect(parseKernelspecListing(listing(launcherOf(OTHER)))).toEqual({
      specDir: '/home/u/.local/share/jupyter/kernels/tslab-widgets',
      clone: OTHER,
    });
  });

  it.each([
    ['no such kernelspec', JSON.stringify({ kernelspecs: {} })],
    ['not JSON (a warning on stdout)', 'Debugger warning: …'],
    ['a spec that runs something else', listing('/usr/lib/tslab/bin/tslab')],
  ])('%s: undefined', (_, text) => {
    expect(parseKernelspecListing(text)).toBeUndefined();
  });
});

describe('describeKernelspecClone', () => {
  const here = { specDir: '/k/tslab-widgets', clone: HERE };
  const other = { specDir: '/k/tslab-widgets', clone: OTHER };

  it('names this clone and the kernelspec folder', () => {
    const line = describeKernelspecClone(here, here, HERE);
    expect(line).toContain(`runs this clone, ${HERE}`);
    expect(line).toContain('/k/tslab-widgets');
    expect(line).not.toContain('before');
  });

  it('says which clone it ran before when npm start moved it', () => {
    expect(describeKernelspecClone(other, here, HERE)).toContain(`It ran ${OTHER} before`);
    expect(describeKernelspecClone(undefined, here, HERE)).not.toContain('before');
  });

  it('warns when Jupyter still uses another clone, or lists none', () => {
    expect(describeKernelspecClone(undefined, other, HERE)).toMatch(
      new RegExp(`^warning: .*runs another clone, ${OTHER}`),
    );
    expect(describeKernelspecClone(here, undefined, HERE)).toMatch(/^warning: .*lists no/);
  });
});

describe('findKernelspecClone with a real Jupyter', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-kernelspec-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('reads the kernelspec Jupyter finds on JUPYTER_PATH', () => {
    const specDir = path.join(tmp, 'kernels', 'tslab-widgets');
    fs.mkdirSync(specDir, { recursive: true });
    const argv = [
      process.execPath,
      launcherOf(OTHER),
      'kernel',
      '--connection-file',
      '{connection_file}',
    ];
    fs.writeFileSync(
      path.join(specDir, 'kernel.json'),
      JSON.stringify({
        argv,
        display_name: 'TypeScript (tslab + widgets)',
        language: 'typescript',
      }),
    );
    const jupyter = fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter';
    const env = { ...process.env, JUPYTER_PATH: tmp };
    expect(findKernelspecClone(jupyter, env)).toEqual({ specDir, clone: OTHER });
  });
});
