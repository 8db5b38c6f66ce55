import { join } from 'path';
import { packageVersion, startKernel } from '../kernel/launcher';
import { loadTslab } from '../kernel/tslab';
import type { InstallOptions } from './install';
import { installKernelspec } from './install';

const USAGE = `Usage:
  tslab-widgets install [--python PATH] [--user | --prefix DIR]
      Register the Jupyter kernelspec "tslab-widgets" (TypeScript (tslab + widgets)).
  tslab-widgets kernel --connection-file FILE
      Run the kernel (Jupyter does this through the kernelspec).
  tslab-widgets --version`;

/** Thrown for a command line this tool does not understand. */
export class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

function takeValue(args: string[], index: number, flag: string): string {
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return value;
}

/** Parses `install` options. */
export function parseInstallArgs(args: string[]): InstallOptions {
  const options: InstallOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = (): string => inline ?? takeValue(args, i++, flag);
    if (flag === '--python') options.python = value();
    else if (flag === '--prefix') options.prefix = value();
    else if (flag === '--user') options.user = true;
    else throw new UsageError(`unknown option ${args[i]}`);
  }
  if (options.user && options.prefix !== undefined) {
    throw new UsageError('choose one of --user and --prefix DIR, not both');
  }
  return options;
}

/** Entry point of the `tslab-widgets` command. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const packageRoot = join(__dirname, '..', '..');
  try {
    switch (command) {
      case '--version':
      case 'version':
        process.stdout.write(`${packageVersion()}\n`);
        return 0;
      case 'install': {
        const options = parseInstallArgs(rest);
        loadTslab(); // fail here, not at kernel start, on a wrong tslab version
        const where = installKernelspec(packageRoot, packageVersion(), options);
        process.stdout.write(`Installed kernelspec tslab-widgets in ${where}\n`);
        return 0;
      }
      case 'kernel': {
        const index = rest.findIndex((arg) => arg === '--connection-file' || arg === '-f');
        const inline = rest.find((arg) => arg.startsWith('--connection-file='));
        const file = inline?.slice('--connection-file='.length) ?? rest[index + 1];
        if (file === undefined || (index < 0 && inline === undefined)) {
          throw new UsageError('kernel needs --connection-file FILE');
        }
        await startKernel(file);
        return -1; // keep running: the server owns the process from here
      }
      case undefined:
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    process.stderr.write(`tslab-widgets: ${(error as Error).message}\n`);
    return 1;
  }
}
