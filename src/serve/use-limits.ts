/**
 * useLimits: what one operation may ask for, checked before any SQL runs: its tokens while it is
 * parsed (graphql-js's own maxTokens), then depth, aliases, directives and a cost as validation
 * rules (graphql-armor's). Each limit answers with a GraphQL error naming it, and a 400 as GraphQL
 * over HTTP asks for documents that fail to parse or validate. Page sizes are bounded by
 * maxPageSize where the lists are planned.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit'
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases'
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth'
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives'
import { GraphQLError, parse, type ValidationContext } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { PorticoConfig } from '../config/config.js'

/**
 * graphql-armor throws its rejection out of validation as a "Syntax Error", which Yoga answers
 * with a 200; reported to the validation context instead, it is a validation error like any other.
 */
const asValidationError = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')))],
}

export function useLimits(limits: PorticoConfig['limits']): Plugin {
  const rules = [
    maxDepthRule({ n: limits.maxDepth, ...asValidationError }),
    maxAliasesRule({ n: limits.maxAliases, ...asValidationError }),
    maxDirectivesRule({ n: limits.maxDirectives, ...asValidationError }),
    costLimitRule({ maxCost: limits.maxCost, ...asValidationError }),
  ]
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parse(source, { ...options, maxTokens: limits.maxTokens }))
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule as never)
    },
  }
}
