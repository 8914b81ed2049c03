declare module '@mrleebo/prisma-ast/dist/prisma-ast.esm.js' {
  export * from '@mrleebo/prisma-ast'
}
