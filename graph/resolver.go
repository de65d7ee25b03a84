package graph

// Resolver is the root of the GraphQL resolvers. It holds the stores; the
// resolvers translate between GraphQL and the domain and nothing more.
type Resolver struct{}
