// Filled in by the module's implementation; re-exported from the package root.
export {};
