// Types of bin/build.mjs, for the TypeScript that imports it (test/support/global-setup.ts).
export declare const ROOT: string
export declare function staleReason(): string | undefined
export declare function build(): void
export declare function buildIfStale(): boolean
export declare function prepareGraphiQL(): Promise<void>
