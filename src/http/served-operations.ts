import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * graphql-js validates a `subscription` against a schema that has none without complaint and only
 * fails when executing it; refusing it here makes it the client's error it is.
 */
export const servedOperationsOnly: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    context.reportError(new GraphQLError(`this API has no ${node.operation} operations`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
  },
});
