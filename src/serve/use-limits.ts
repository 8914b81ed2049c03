/**
 * useLimits: what one operation may ask for, checked before any SQL runs: its tokens while it is
 * parsed (graphql-js's own maxTokens), then depth, aliases and directives as validation rules
 * (graphql-armor's), then its cost (./list-cost.ts: list sizes multiply) just before execution.
 * Each limit answers with a GraphQL error naming it, and a 400 as GraphQL over HTTP asks for
 * documents that fail to parse or validate. A page beyond maxPageSize is refused where the lists
 * are planned (its cost counts it as maxPageSize, so that refusal is the one the caller sees).
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives'
import { GraphQLError, parse, type ValidationContext } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { PorticoConfig } from '../config/config.js'
import { ClientError } from '../errors.js'
import { operationCost } from './list-cost.js'

/**
 * graphql-armor throws its rejection out of validation as a "Syntax Error", which Yoga answers
 * with a 200; reported to the validation context instead, it is a validation error like any other.
 */
const asValidationError = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')))],
}

export function useLimits(config: Pick<PorticoConfig, 'limits' | 'defaultPageSize' | 'maxPageSize'>): Plugin {
  const { limits } = config
  const rules = [
    maxDepthRule({ n: limits.maxDepth, ...asValidationError }),
    maxAliasesRule({ n: limits.maxAliases, ...asValidationError }),
    maxDirectivesRule({ n: limits.maxDirectives, ...asValidationError }),
  ]
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parse(source, { ...options, maxTokens: limits.maxTokens }))
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule as never)
    },
    // The cost depends on the variables (`first: $n`), which validation does not see, and Yoga
    // caches validation per document: so it is checked here, after validation and before the
    // compiled reads or any resolver (this plugin comes before them), on every request.
    onExecute({ args, setResultAndStopExecution }) {
      const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues, config)
      if (cost === undefined || cost <= limits.maxCost) return
      setResultAndStopExecution({ errors: [costError(cost, limits.maxCost, config.defaultPageSize)] })
    },
  }
}

function costError(cost: number, maxCost: number, defaultPageSize: number): GraphQLError {
  return new ClientError(
    `Query cost limit of ${maxCost} exceeded, found ${cost}: a list costs its page size (first or last, else ${defaultPageSize}) ` +
      'times the cost of one item, so nested lists multiply; ask for smaller pages or fewer nested lists.',
    'COST_LIMIT_EXCEEDED',
    // Answered as a validation failure is: a 400 (200 under plain application/json, as GraphQL over HTTP asks).
    { cost, maxCost, http: { status: 400, spec: true } },
  )
}
