/**
 * The contract at the bottom of the import graph: the event kinds and their fields, the session spec,
 * the probe roles and modes, the schema ids. It imports nothing from the rest of src/.
 */
export * from './events';
export * from './ids';
export * from './spec';
