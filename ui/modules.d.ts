// The page's modules import each other with the token in the URL (the daemon fills it in), which
// TypeScript cannot resolve; they are typed as `any` at the boundary and checked inside.
declare module "*?token=__TOKEN__";
