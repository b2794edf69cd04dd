// Field options the GraphQL layer acts on (src/http/graphql-limits.ts, src/http/write-only.ts).

/** What a mutation costs unless it says otherwise (one transaction), and one that calls a gateway. */
export const MUTATION_COST = 10;
export const GATEWAY_CALL_COST = 50;

/** An input field whose value never comes back, in an answer or in an error message. */
export const WRITE_ONLY = { writeOnly: true } as const;

/** Counting the whole filtered set (totals of a list): a scan, whatever the page. */
export const AGGREGATE_COST = 100;
/** A search no index serves (text, a wildcard number, an order other than by creation): a scan too. */
export const SCAN_COST = 100;
/**
 * A payment's allocations: one read of up to MAX_ALLOCATION_SCAN ledger entries and their
 * allocation, tens of milliseconds of this process each. At most four fit in one document
 * (a fifth makes it cost more than the limit of 1000), so no document holds it for long.
 */
export const ALLOCATIONS_COST = 200;
