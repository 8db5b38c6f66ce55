/**
 * Errors thrown by @rlrp/datasets. Every message says what is missing or malformed and how to fix it.
 */

/** Base class of every error thrown by @rlrp/datasets. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The files of a dataset are not installed on this machine. */
export class DatasetNotFoundError extends DatasetError {
  constructor(
    /** The dataset that was asked for, e.g. `fashion-mnist`. */
    readonly dataset: string,
    /** The places that were searched. */
    readonly searched: readonly string[],
    /** How to install the data. */
    readonly installHint: string,
  ) {
    super(`The ${dataset} data was not found (searched: ${searched.join(', ')}). ${installHint}`);
  }
}

/** A dataset file exists but its content is not what the format promises. */
export class DatasetFormatError extends DatasetError {
  constructor(
    /** The offending file. */
    readonly path: string,
    problem: string,
    hint: string,
  ) {
    super(`${problem} (${path}). ${hint}`);
  }
}
