/** The event model lives in the contract (src/contract/events.ts); this name stays for its many importers. */
export * from '../contract/events';
