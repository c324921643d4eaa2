import { z } from 'zod';
import type { KnowledgeRetriever } from '../kb/retriever.js';
import { defineTool } from './define-tool.js';

export function createSearchKnowledgeBaseTool(deps: { retriever: KnowledgeRetriever }) {
  return defineTool({
    name: 'search_knowledge_base',
    description:
      'Search the help-centre articles (policies, fees, how-to). Returns passages with a source number "ref" and a confidence "score" between 0 and 1. Answer only from passages, cite them as [ref], and if no passage answers the question say you do not know and offer a human agent.',
    parameters: z.object({
      query: z.string().trim().min(2).max(500).describe('The question to search for, in the customer\'s words plus any key terms.'),
      category: z.string().max(64).optional().describe('Optional article category, e.g. "refunds" or "baggage".'),
    }),
    roles: ['guest', 'customer', 'agent', 'admin'],
    rateLimit: { points: 60, durationSeconds: 60 },
    async execute(args, context) {
      const hits = await deps.retriever.search({
        text: args.query,
        limit: 4,
        ...(context.conversation ? { context: context.conversation } : {}),
        ...(args.category ? { category: args.category } : {}),
      });
      return {
        ok: true,
        data: {
          passages: hits.map((hit) => ({
            ref: context.citations.register(hit),
            articleId: hit.articleId,
            title: hit.title,
            section: hit.heading,
            score: hit.score,
            text: hit.passage,
          })),
        },
      };
    },
  });
}
