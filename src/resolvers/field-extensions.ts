// Field options the GraphQL layer acts on (src/http/graphql-limits.ts, src/http/write-only.ts).

/** What a mutation costs unless it says otherwise (one transaction), and one that calls a gateway. */
export const MUTATION_COST = 10;
export const GATEWAY_CALL_COST = 50;

/** An input field whose value never comes back, in an answer or in an error message. */
export const WRITE_ONLY = { writeOnly: true } as const;
